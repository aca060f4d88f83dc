-- The consent artefact as it stood right after a device-signed decision, signed then (issue 17):
-- the evidence package carries this one, so a later revoke or expiry does not change what the
-- package shows was approved. Null for decisions recorded before this column (their package
-- carries the artefact as it stands when asked).
alter table consent_decision_evidence add column artefact_jws text;
