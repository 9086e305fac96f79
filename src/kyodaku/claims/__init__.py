"""The claims and inquiries desk: cases with states, deadlines, evidence and answers (issue 11)."""
