-- Sign-ins, refusals and sign-outs of the portal (issue 17): what an auditor needs to see who
-- signed in when and at which assurance level. Subjects are the pseudonymous handles tokens carry
-- (never a national id); no address is kept.
create table sign_in_events (
  id uuid primary key,
  at timestamptz not null,
  event text not null check (event in ('sign-in', 'sign-in-refused', 'sign-out')),
  role text,
  subject text,
  acr text,
  reason text
);
create index sign_in_events_recent on sign_in_events (at desc, id desc);
