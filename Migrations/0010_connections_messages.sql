-- Issue 3: connections between members, in-app notifications, private messages.

-- One row per pair of people: a request (pending) or a connection (accepted). A declined or
-- cancelled request, and a removed connection, are deleted, so the pair may start again.
CREATE TABLE connections (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    requester_id    uuid NOT NULL,
    recipient_id    uuid NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted')),
    -- who made it accepted: the recipient, or an organizer (directly or by approving)
    accepted_by     uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    accepted_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (requester_id <> recipient_id),
    FOREIGN KEY (tenant_id, requester_id) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, recipient_id) REFERENCES memberships (tenant_id, user_id)
);
CREATE UNIQUE INDEX connections_pair ON connections
    (tenant_id, least(requester_id, recipient_id), greatest(requester_id, recipient_id));
CREATE INDEX connections_recipient ON connections (tenant_id, recipient_id);
ALTER TABLE connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connections
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON connections TO mingle_app;
GRANT UPDATE (status, accepted_by, accepted_at) ON connections TO mingle_app;

CREATE TABLE notifications (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL,
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
    link        text NOT NULL DEFAULT '' CHECK (link = '' OR link LIKE '/%'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
CREATE INDEX notifications_unread ON notifications (tenant_id, user_id) WHERE read_at IS NULL;
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON notifications TO mingle_app;
GRANT UPDATE (read_at) ON notifications TO mingle_app;

-- A conversation is between two people of one tenant; user_a sorts before user_b.
CREATE TABLE conversations (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    user_a          uuid NOT NULL,
    user_b          uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_a, user_b),
    CHECK (user_a < user_b),
    FOREIGN KEY (tenant_id, user_a) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_b) REFERENCES memberships (tenant_id, user_id)
);
ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON conversations
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON conversations TO mingle_app;
GRANT UPDATE (last_message_at) ON conversations TO mingle_app;

CREATE TABLE messages (
    tenant_id       uuid NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    conversation_id uuid NOT NULL,
    sender_id       uuid NOT NULL,
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);
CREATE INDEX messages_conversation ON messages (tenant_id, conversation_id, id);
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON messages
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON messages TO mingle_app;

-- Per person and conversation: read up to which message, and when they were last emailed
-- about it (at most one email per quiet period, not one per message).
CREATE TABLE conversation_members (
    tenant_id       uuid NOT NULL,
    conversation_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    last_read_id    bigint NOT NULL DEFAULT 0,
    last_emailed_at timestamptz,
    PRIMARY KEY (tenant_id, conversation_id, user_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
ALTER TABLE conversation_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversation_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON conversation_members
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON conversation_members TO mingle_app;
GRANT UPDATE (last_read_id, last_emailed_at) ON conversation_members TO mingle_app;
