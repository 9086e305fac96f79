"""Tamper evidence shared by the scan manifests and the generation ledger: RFC 6962 Merkle trees
with inclusion proofs (`merkle`) and Ed25519 keys and signatures (`signing`)."""
