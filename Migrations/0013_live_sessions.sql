-- Issue 4: live sessions. Scheduling (sessions, the organizer's own survey questions,
-- invitations, private calendar feeds) and what the live engine persists as it happens
-- (pairings, survey answers, the waiting pool, attendance), so a restart loses nothing.

-- An organizer's own survey questions; the standard bank lives in code (Live.SurveyBank).
CREATE TABLE survey_questions (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    key         text NOT NULL CHECK (length(key) BETWEEN 1 AND 60),
    -- a Live.SurveyQuestion encoded as JSON (key, prompt, kind, required)
    definition  jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, key)
);
ALTER TABLE survey_questions ENABLE ROW LEVEL SECURITY;
ALTER TABLE survey_questions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON survey_questions
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON survey_questions TO mingle_app;
GRANT UPDATE (definition, archived_at) ON survey_questions TO mingle_app;

-- One scheduled session (DESIGN §4). Durations are columns so tests can run a whole session
-- in seconds; the organizer portal always writes the production grace, lead and teardown.
CREATE TABLE live_sessions (
    tenant_id           uuid NOT NULL REFERENCES tenants (id),
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description         text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    starts_at           timestamptz NOT NULL,
    ends_at             timestamptz NOT NULL,
    round_seconds       integer NOT NULL CHECK (round_seconds > 0),
    grace_seconds       integer NOT NULL DEFAULT 60 CHECK (grace_seconds >= 0),
    lead_seconds        integer NOT NULL DEFAULT 900 CHECK (lead_seconds >= 0),
    teardown_seconds    integer NOT NULL DEFAULT 900 CHECK (teardown_seconds >= 0),
    -- the survey, frozen per session: a JSON array of Live.SurveyQuestion in the chosen order
    questions           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(questions) = 'array'),
    created_by          uuid NOT NULL,
    -- iCalendar SEQUENCE: bumped on every change members are told about
    sequence            integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    cancelled_at        timestamptz,
    reminder_sent_at    timestamptz,
    -- the organizer currently available for a one-to-one with a left-over member, if any
    available_organizer uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_at > starts_at),
    CHECK (starts_at + make_interval(secs => round_seconds + grace_seconds) <= ends_at),
    FOREIGN KEY (tenant_id, created_by) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, available_organizer) REFERENCES memberships (tenant_id, user_id)
);
CREATE INDEX live_sessions_starts ON live_sessions (tenant_id, starts_at);
ALTER TABLE live_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_sessions
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON live_sessions TO mingle_app;
GRANT UPDATE (title, description, starts_at, ends_at, round_seconds, questions, sequence,
              cancelled_at, reminder_sent_at, available_organizer, updated_at)
    ON live_sessions TO mingle_app;

-- Who was invited, and the last SEQUENCE they were sent, so changes and cancellations reach
-- exactly the people who hold the invitation.
CREATE TABLE live_session_invitations (
    tenant_id   uuid NOT NULL,
    session_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    sequence    integer NOT NULL CHECK (sequence >= 0),
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, session_id, user_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES live_sessions (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
ALTER TABLE live_session_invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_session_invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_session_invitations
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON live_session_invitations TO mingle_app;
GRANT UPDATE (sequence, sent_at) ON live_session_invitations TO mingle_app;

-- A member's private calendar feed: the URL's token is an HMAC over (tenant, user,
-- generation) under the server key, so nothing secret is stored; a new generation revokes it.
CREATE TABLE calendar_feeds (
    tenant_id   uuid NOT NULL,
    user_id     uuid NOT NULL,
    generation  integer NOT NULL DEFAULT 1 CHECK (generation > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
ALTER TABLE calendar_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON calendar_feeds
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON calendar_feeds TO mingle_app;
GRANT UPDATE (generation) ON calendar_feeds TO mingle_app;

-- Every one-to-one of a session. The unique index is the "never the same pair twice" rule
-- in the database. ended_at is written when the pair ends, early (someone left) or on time.
CREATE TABLE live_pairings (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    session_id  uuid NOT NULL,
    member_a    uuid NOT NULL,
    member_b    uuid NOT NULL,
    -- whether member_b is the organizer meeting a left-over member
    with_organizer boolean NOT NULL DEFAULT false,
    -- the matching round (1, 2, …) in which this pair was made
    round       integer NOT NULL CHECK (round > 0),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    end_reason  text CHECK (end_reason IN ('time', 'session_end', 'left')),
    -- who left, when end_reason = 'left'
    left_by     uuid,
    PRIMARY KEY (tenant_id, id),
    CHECK (member_a <> member_b),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    FOREIGN KEY (tenant_id, session_id) REFERENCES live_sessions (tenant_id, id),
    FOREIGN KEY (tenant_id, member_a) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, member_b) REFERENCES memberships (tenant_id, user_id)
);
CREATE UNIQUE INDEX live_pairings_once ON live_pairings
    (tenant_id, session_id, least(member_a, member_b), greatest(member_a, member_b));
CREATE INDEX live_pairings_session ON live_pairings (tenant_id, session_id, started_at);
ALTER TABLE live_pairings ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_pairings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_pairings
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON live_pairings TO mingle_app;
GRANT UPDATE (ended_at, end_reason, left_by) ON live_pairings TO mingle_app;

-- One submitted survey: what `submitter_id` said about `target_id` after one pairing.
CREATE TABLE live_survey_responses (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    session_id   uuid NOT NULL,
    pairing_id   uuid NOT NULL,
    submitter_id uuid NOT NULL,
    target_id    uuid NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, pairing_id, submitter_id),
    CHECK (submitter_id <> target_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES live_sessions (tenant_id, id),
    FOREIGN KEY (tenant_id, pairing_id) REFERENCES live_pairings (tenant_id, id),
    FOREIGN KEY (tenant_id, submitter_id) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, target_id) REFERENCES memberships (tenant_id, user_id)
);
CREATE INDEX live_survey_responses_session ON live_survey_responses (tenant_id, session_id);
ALTER TABLE live_survey_responses ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_survey_responses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_survey_responses
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON live_survey_responses TO mingle_app;

-- One answer of a response; the prompt is copied so reports read the words that were shown.
-- Empty answers to optional questions are not stored.
CREATE TABLE live_survey_answers (
    tenant_id    uuid NOT NULL,
    response_id  uuid NOT NULL,
    position     integer NOT NULL CHECK (position >= 0),
    question_key text NOT NULL,
    prompt       text NOT NULL,
    -- 'rating', 'single_choice' or 'free_text'
    kind         text NOT NULL CHECK (kind IN ('rating', 'single_choice', 'free_text')),
    value        text NOT NULL CHECK (length(value) BETWEEN 1 AND 2000),
    PRIMARY KEY (tenant_id, response_id, question_key),
    FOREIGN KEY (tenant_id, response_id) REFERENCES live_survey_responses (tenant_id, id)
);
ALTER TABLE live_survey_answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_survey_answers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_survey_answers
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON live_survey_answers TO mingle_app;

-- The waiting pool of a running session: who pressed "Meet someone" and has not been paired
-- yet. Priority members (left out of a round, or their partner left) go first, then by time.
CREATE TABLE live_pool (
    tenant_id   uuid NOT NULL,
    session_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    queued_at   timestamptz NOT NULL,
    priority    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, session_id, user_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES live_sessions (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
ALTER TABLE live_pool ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_pool FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_pool
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON live_pool TO mingle_app;
GRANT UPDATE (queued_at, priority) ON live_pool TO mingle_app;

-- Who entered a session and when they were last there (for reports and platform figures),
-- with the name the room showed, so a restarted engine can name people before they return.
CREATE TABLE live_attendance (
    tenant_id        uuid NOT NULL,
    session_id       uuid NOT NULL,
    user_id          uuid NOT NULL,
    display_name     text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
    first_entered_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, session_id, user_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES live_sessions (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
ALTER TABLE live_attendance ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_attendance FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_attendance
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON live_attendance TO mingle_app;
GRANT UPDATE (last_seen_at, display_name) ON live_attendance TO mingle_app;
