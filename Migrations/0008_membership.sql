-- Issue 3: registration under an organizer, membership fees, profiles.

-- An address is confirmed once per account (by link); until then a new member cannot pay or take part.
ALTER TABLE users ADD COLUMN email_confirmed_at timestamptz;
GRANT UPDATE (email_confirmed_at) ON users TO mingle_app;

-- What joining costs, per tenant. The PayPal secret is sealed with the platform key
-- (AES-GCM, nonce || ciphertext || tag) by the app; the database never sees it in clear.
CREATE TABLE membership_settings (
    tenant_id               uuid PRIMARY KEY REFERENCES tenants (id),
    fee_minor               integer NOT NULL DEFAULT 0 CHECK (fee_minor >= 0 AND fee_minor <= 100000000),
    currency                text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    paypal_client_id        text NOT NULL DEFAULT '' CHECK (length(paypal_client_id) <= 200),
    paypal_secret_sealed    bytea,
    paypal_webhook_id       text NOT NULL DEFAULT '' CHECK (length(paypal_webhook_id) <= 100),
    welcome_text            text NOT NULL DEFAULT '' CHECK (length(welcome_text) <= 1000),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE membership_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE membership_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON membership_settings
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON membership_settings TO mingle_app;

-- One row per attempt to pay a fee. A membership is activated only by a row reaching
-- 'completed' from a capture PayPal confirmed; the order id is unique, so a replayed return
-- or a webhook finds the same row and cannot activate twice.
CREATE TABLE payments (
    tenant_id           uuid NOT NULL,
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL,
    amount_minor        integer NOT NULL CHECK (amount_minor > 0),
    currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    paypal_order_id     text,
    paypal_capture_id   text,
    status              text NOT NULL DEFAULT 'created'
                        CHECK (status IN ('created', 'cancelled', 'declined', 'failed', 'completed')),
    detail              text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    completed_at        timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, paypal_order_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id)
);
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON payments
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON payments TO mingle_app;
GRANT UPDATE (paypal_order_id, paypal_capture_id, status, detail, completed_at) ON payments TO mingle_app;

-- The organizer's profile fields, and each member's answers to them.
CREATE TABLE profile_sections (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    kind        text NOT NULL CHECK (kind IN ('short_text', 'long_text', 'choice', 'link')),
    options     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(options) = 'array'),
    required    boolean NOT NULL DEFAULT false,
    headline    boolean NOT NULL DEFAULT false,
    position    integer NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE profile_sections ENABLE ROW LEVEL SECURITY;
ALTER TABLE profile_sections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON profile_sections
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON profile_sections TO mingle_app;

CREATE TABLE profiles (
    tenant_id           uuid NOT NULL,
    user_id             uuid NOT NULL,
    picture_image_id    uuid,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, picture_image_id) REFERENCES images (tenant_id, id)
);
ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON profiles
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON profiles TO mingle_app;

CREATE TABLE profile_answers (
    tenant_id   uuid NOT NULL,
    user_id     uuid NOT NULL,
    section_id  uuid NOT NULL,
    value       text NOT NULL CHECK (length(value) <= 4000),
    PRIMARY KEY (tenant_id, user_id, section_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, section_id) REFERENCES profile_sections (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE profile_answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE profile_answers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON profile_answers
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON profile_answers TO mingle_app;

-- Email confirmation links: like password resets, hashed and single use.
CREATE TABLE email_confirmations (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
ALTER TABLE email_confirmations ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION email_confirmation_store(hash bytea, owner uuid, lifetime interval) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    DELETE FROM email_confirmations WHERE expires_at < now() - interval '1 day';
    INSERT INTO email_confirmations (token_hash, user_id, expires_at) VALUES (hash, owner, now() + lifetime);
$$;

-- Confirms the address of the token's account once; returns the account, or NULL.
CREATE FUNCTION email_confirmation_consume(hash bytea) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE owner uuid;
BEGIN
    UPDATE email_confirmations SET used_at = now()
    WHERE token_hash = hash AND used_at IS NULL AND expires_at > now()
    RETURNING user_id INTO owner;
    IF owner IS NULL THEN RETURN NULL; END IF;
    UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = owner;
    RETURN owner;
END $$;

GRANT EXECUTE ON FUNCTION email_confirmation_store(bytea, uuid, interval), email_confirmation_consume(bytea) TO mingle_app;

-- Session look-up also says whether the address is confirmed.
DROP FUNCTION session_lookup(bytea, text);
CREATE FUNCTION session_lookup(hash bytea, on_host text)
RETURNS TABLE (user_id uuid, username text, is_platform_admin boolean, acting_tenant uuid, email_confirmed boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT s.user_id, u.username, u.is_platform_admin, s.acting_tenant, u.email_confirmed_at IS NOT NULL
    FROM web_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = hash AND s.host = on_host AND s.expires_at > now() AND s.purpose = 'session'
$$;
GRANT EXECUTE ON FUNCTION session_lookup(bytea, text) TO mingle_app;

-- Accounts made before confirmation existed (admins, invited organizers, seeds) count as confirmed.
UPDATE users SET email_confirmed_at = created_at WHERE email_confirmed_at IS NULL;

-- Following a reset (or invitation) link proves the address as well.
CREATE OR REPLACE FUNCTION password_reset_consume(hash bytea, new_password_hash text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE owner uuid;
BEGIN
    UPDATE password_resets SET used_at = now()
    WHERE token_hash = hash AND used_at IS NULL AND expires_at > now()
    RETURNING user_id INTO owner;
    IF owner IS NULL THEN RETURN NULL; END IF;
    UPDATE users SET password_hash = new_password_hash, email_confirmed_at = coalesce(email_confirmed_at, now())
    WHERE id = owner;
    UPDATE password_resets SET used_at = now() WHERE user_id = owner AND used_at IS NULL;
    DELETE FROM web_sessions WHERE user_id = owner;
    DELETE FROM login_failures
    WHERE key LIKE 'signin:' || (SELECT username FROM users WHERE id = owner) || '|%';
    RETURN owner;
END $$;
