-- Issue 14, attendance: per session and member, the invitation (when first invited, when its
-- emailed link was opened, the answer "I'll come" / "can't come"), the links that answer it,
-- and each stay in the live room, so the organizer sees who was invited, who said they would
-- come, who came and for how long.

-- The invitation row exists since 0013 (its SEQUENCE for calendar updates); `sent_at` moves
-- with every update, `invited_at` stays at the first one (NULL for rows older than this file:
-- readers fall back to sent_at).
ALTER TABLE live_session_invitations
    ADD COLUMN invited_at  timestamptz,
    -- first time one of the emailed links was opened: a read receipt, not a promise
    ADD COLUMN opened_at   timestamptz,
    ADD COLUMN answer      text CHECK (answer IN ('yes', 'no')),
    ADD COLUMN answered_at timestamptz,
    ADD CONSTRAINT live_session_invitations_answer_when CHECK ((answer IS NULL) = (answered_at IS NULL));
GRANT UPDATE (opened_at, answer, answered_at) ON live_session_invitations TO mingle_app;

-- The links in invitation emails: a random token per email (so every email sent keeps
-- working), stored only as its SHA-256. The token answers for that one invitation without
-- signing anyone in. Looked up on the tenant's host inside its RLS scope, so another tenant's
-- token is simply not found.
CREATE TABLE live_invitation_links (
    tenant_id   uuid NOT NULL,
    token_hash  bytea NOT NULL CHECK (length(token_hash) = 32),
    session_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, session_id, user_id) REFERENCES live_session_invitations (tenant_id, session_id, user_id)
);
ALTER TABLE live_invitation_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_invitation_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_invitation_links
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON live_invitation_links TO mingle_app;

-- One page's stay in the live room (lobby and conversations alike): opened when the page
-- entered, closed when it left. Several windows of one person overlap and are merged when
-- counted. A page that never said goodbye (a crash) is closed when the engine is loaded again
-- or the room closes, and an open visit is never counted past the room's closing.
CREATE TABLE live_room_visits (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    session_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    entered_at  timestamptz NOT NULL,
    left_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (left_at IS NULL OR left_at >= entered_at),
    FOREIGN KEY (tenant_id, session_id, user_id) REFERENCES live_attendance (tenant_id, session_id, user_id)
);
CREATE INDEX live_room_visits_session ON live_room_visits (tenant_id, session_id, user_id);
CREATE INDEX live_room_visits_open ON live_room_visits (tenant_id, session_id) WHERE left_at IS NULL;
ALTER TABLE live_room_visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_room_visits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON live_room_visits
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON live_room_visits TO mingle_app;
GRANT UPDATE (left_at) ON live_room_visits TO mingle_app;
