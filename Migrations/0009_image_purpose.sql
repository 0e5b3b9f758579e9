-- Logos are public on the tenant's site; profile pictures only to those who may see profiles.
ALTER TABLE images ADD COLUMN purpose text NOT NULL DEFAULT 'logo' CHECK (purpose IN ('logo', 'profile'));

-- People are found by name and by what their profile says.
CREATE INDEX profile_answers_section ON profile_answers (tenant_id, section_id);
