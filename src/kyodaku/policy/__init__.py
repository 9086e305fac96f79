"""Consent-first policy: findings plus context in, a decision with its trace out."""
