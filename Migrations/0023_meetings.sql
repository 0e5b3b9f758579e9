-- Issue 15, meetings (DESIGN §10): multi-party conferences of a tenant, hosted by organizers
-- (and by members when the tenant allows it), with a link of their own, a waiting room, chat,
-- and host decisions (admitted, refused, removed, co-host) kept so that a node that restarts,
-- or a page that reconnects, finds them as they were.

-- Whether members (not only organizers) may create and host meetings.
ALTER TABLE tenants ADD COLUMN members_may_host boolean NOT NULL DEFAULT false;
GRANT UPDATE (members_may_host) ON tenants TO mingle_app;

CREATE TABLE meetings (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    -- the link's secret part, /m/<link_token>: 24 base64url characters of 18 random bytes
    -- (144 bits); looked up on the tenant's own host, inside its row-level-security scope
    link_token       text NOT NULL CHECK (link_token ~ '^[A-Za-z0-9_-]{22,64}$'),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    -- who created it: its host (organizers of the tenant host every meeting too)
    created_by       uuid NOT NULL,
    -- a scheduled meeting has both; a meeting started at once has them from its start
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    time_zone        text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    waiting_room     boolean NOT NULL DEFAULT true,
    guests_allowed   boolean NOT NULL DEFAULT false,
    participant_cap  integer NOT NULL DEFAULT 25 CHECK (participant_cap BETWEEN 2 AND 30),
    locked           boolean NOT NULL DEFAULT false,
    -- invitations: every active member (also those who join later), or the chosen ones
    invite_all       boolean NOT NULL DEFAULT false,
    -- iCalendar SEQUENCE: bumped on every change invited members are told about
    sequence         integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    reminder_sent_at timestamptz,
    -- when a host first came in, and when a host ended it for everyone
    started_at       timestamptz,
    ended_at         timestamptz,
    cancelled_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, link_token),
    CHECK (ends_at > starts_at),
    FOREIGN KEY (tenant_id, created_by) REFERENCES memberships (tenant_id, user_id)
);
CREATE INDEX meetings_by_start ON meetings (tenant_id, starts_at);
ALTER TABLE meetings ENABLE ROW LEVEL SECURITY;
ALTER TABLE meetings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON meetings
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON meetings TO mingle_app;
GRANT UPDATE (title, description, starts_at, ends_at, time_zone, waiting_room, guests_allowed, participant_cap,
              locked, invite_all, sequence, reminder_sent_at, started_at, ended_at, cancelled_at, updated_at)
    ON meetings TO mingle_app;

-- Members invited by name (with invite_all, every active member counts as invited as well).
CREATE TABLE meeting_invitations (
    tenant_id   uuid NOT NULL,
    meeting_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    -- the SEQUENCE of the last calendar message this member was sent (REQUEST or CANCEL)
    sequence    integer NOT NULL DEFAULT 0,
    invited_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    PRIMARY KEY (tenant_id, meeting_id, user_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
CREATE INDEX meeting_invitations_by_user ON meeting_invitations (tenant_id, user_id);
ALTER TABLE meeting_invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE meeting_invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON meeting_invitations
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON meeting_invitations TO mingle_app;
GRANT UPDATE (sequence, sent_at) ON meeting_invitations TO mingle_app;

-- A guest: someone let in by the link with a display name only. Not an account: the row ties
-- a random token (kept by the guest's browser in a cookie for this meeting's host, stored here
-- only as its SHA-256) to one meeting and the name they gave.
CREATE TABLE meeting_guests (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    meeting_id   uuid NOT NULL,
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 60),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE meeting_guests ENABLE ROW LEVEL SECURITY;
ALTER TABLE meeting_guests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON meeting_guests
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON meeting_guests TO mingle_app;

-- What hosts decided about each person (a member's user id or a guest's id): admitted from the
-- waiting room, made co-host, refused or removed (neither can come back to this meeting).
CREATE TABLE meeting_people (
    tenant_id    uuid NOT NULL,
    meeting_id   uuid NOT NULL,
    person_id    uuid NOT NULL,
    status       text NOT NULL CHECK (status IN ('admitted', 'refused', 'removed')),
    co_host      boolean NOT NULL DEFAULT false,
    first_joined_at timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, meeting_id, person_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE meeting_people ENABLE ROW LEVEL SECURITY;
ALTER TABLE meeting_people FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON meeting_people
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON meeting_people TO mingle_app;
GRANT UPDATE (status, co_host, decided_at) ON meeting_people TO mingle_app;

-- The meeting's chat: what admitted people wrote, in order, with the name they had then.
CREATE TABLE meeting_chat (
    tenant_id   uuid NOT NULL,
    meeting_id  uuid NOT NULL,
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    author_id   uuid NOT NULL,
    author_name text NOT NULL CHECK (length(author_name) BETWEEN 1 AND 120),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, meeting_id, seq),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE meeting_chat ENABLE ROW LEVEL SECURITY;
ALTER TABLE meeting_chat FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON meeting_chat
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON meeting_chat TO mingle_app;
