-- Issue 17, watch-together rooms (DESIGN §12): a room of a tenant found by its 9-digit code and
-- entered with a PIN (stored hashed), the playback the server owns (what plays, paused or not,
-- the position at an instant, the rate), who controls it, its list of videos, the files
-- uploaded to it (kept in the media store, DESIGN §13), its guests, its chat, and who came.

CREATE TABLE watch_rooms (
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    -- what people type to find it, shown as 123 456 789; unique in its tenant only, so another
    -- tenant's room is never found by it
    code              text NOT NULL CHECK (code ~ '^[0-9]{9}$'),
    pin_hash          text NOT NULL,
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    host_id           uuid NOT NULL,
    guests_allowed    boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- the playback: `position` seconds into `current_item` at `position_at`, moving at `rate`
    -- unless paused
    current_item      uuid,
    paused            boolean NOT NULL DEFAULT true,
    position          double precision NOT NULL DEFAULT 0 CHECK (position >= 0),
    position_at       timestamptz NOT NULL DEFAULT now(),
    rate              double precision NOT NULL DEFAULT 1 CHECK (rate BETWEEN 0.25 AND 2),
    control           text NOT NULL DEFAULT 'host' CHECK (control IN ('host', 'everyone', 'person')),
    controller_id     uuid,
    wait_for_everyone boolean NOT NULL DEFAULT false,
    -- people the host removed (members or guests): they cannot come back
    removed           uuid[] NOT NULL DEFAULT '{}',
    closed_at         timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    CHECK ((control = 'person') = (controller_id IS NOT NULL)),
    FOREIGN KEY (tenant_id, host_id) REFERENCES memberships (tenant_id, user_id)
);
CREATE INDEX watch_rooms_by_host ON watch_rooms (tenant_id, host_id, created_at DESC);
ALTER TABLE watch_rooms ENABLE ROW LEVEL SECURITY;
ALTER TABLE watch_rooms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON watch_rooms
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON watch_rooms TO mingle_app;
GRANT UPDATE (current_item, paused, position, position_at, rate, control, controller_id, wait_for_everyone, removed, closed_at,
              guests_allowed)
    ON watch_rooms TO mingle_app;

-- A video uploaded to a room: its processing (progress shown to the uploader) and where the
-- result is in the media store.
CREATE TABLE watch_files (
    tenant_id      uuid NOT NULL,
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    room_id        uuid NOT NULL,
    uploaded_by    uuid NOT NULL,
    original_name  text NOT NULL CHECK (length(original_name) BETWEEN 1 AND 255),
    status         text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'ready', 'failed')),
    progress       real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    problem        text,
    -- the processed MP4 and, when given, its subtitles (WebVTT), as media store keys
    media_key      text,
    subtitles_key  text,
    size           bigint,
    duration       double precision,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (status <> 'ready' OR media_key IS NOT NULL),
    FOREIGN KEY (tenant_id, room_id) REFERENCES watch_rooms (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE watch_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE watch_files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON watch_files
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON watch_files TO mingle_app;
GRANT UPDATE (status, progress, problem, media_key, subtitles_key, size, duration) ON watch_files TO mingle_app;

-- The room's list of videos, in order.
CREATE TABLE watch_items (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL,
    room_id       uuid NOT NULL,
    seq           bigint GENERATED ALWAYS AS IDENTITY,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    kind          text NOT NULL CHECK (kind IN ('file', 'link', 'youtube')),
    file_id       uuid,
    link          text CHECK (length(link) <= 2000),
    youtube_id    text CHECK (youtube_id ~ '^[A-Za-z0-9_-]{11}$'),
    duration      double precision,
    has_subtitles boolean NOT NULL DEFAULT false,
    added_by      uuid NOT NULL,
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK ((kind = 'file') = (file_id IS NOT NULL) AND (kind = 'link') = (link IS NOT NULL)
           AND (kind = 'youtube') = (youtube_id IS NOT NULL)),
    FOREIGN KEY (tenant_id, room_id) REFERENCES watch_rooms (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, file_id) REFERENCES watch_files (tenant_id, id)
);
CREATE INDEX watch_items_by_room ON watch_items (tenant_id, room_id, seq);
ALTER TABLE watch_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE watch_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON watch_items
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON watch_items TO mingle_app;
-- a link's length, learnt by a page once it loaded
GRANT UPDATE (duration) ON watch_items TO mingle_app;

-- Someone without an account in a room that takes guests: a display name and a cookie's token
-- (hashed) for this one room.
CREATE TABLE watch_guests (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    room_id      uuid NOT NULL,
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 60),
    token_hash   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, room_id) REFERENCES watch_rooms (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE watch_guests ENABLE ROW LEVEL SECURITY;
ALTER TABLE watch_guests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON watch_guests
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON watch_guests TO mingle_app;

-- Who passed the PIN (a member, or a guest) and when they last came: the room's files are
-- served to them only, and members see the rooms they recently joined.
CREATE TABLE watch_visits (
    tenant_id      uuid NOT NULL,
    room_id        uuid NOT NULL,
    person_id      uuid NOT NULL,
    is_guest       boolean NOT NULL,
    last_joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, room_id, person_id),
    FOREIGN KEY (tenant_id, room_id) REFERENCES watch_rooms (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX watch_visits_by_person ON watch_visits (tenant_id, person_id, last_joined_at DESC);
ALTER TABLE watch_visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE watch_visits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON watch_visits
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON watch_visits TO mingle_app;
GRANT UPDATE (last_joined_at) ON watch_visits TO mingle_app;

CREATE TABLE watch_chat (
    tenant_id   uuid NOT NULL,
    room_id     uuid NOT NULL,
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    author_id   uuid NOT NULL,
    author_name text NOT NULL CHECK (length(author_name) BETWEEN 1 AND 120),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, room_id, seq),
    FOREIGN KEY (tenant_id, room_id) REFERENCES watch_rooms (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE watch_chat ENABLE ROW LEVEL SECURITY;
ALTER TABLE watch_chat FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON watch_chat
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON watch_chat TO mingle_app;
