-- Issue 16 (calls): a member's availability on one site. "Appear offline": nobody there is
-- told they are online (their pages still get what is theirs). "Do not disturb": calls to
-- them do not ring; the caller hears they are busy.
ALTER TABLE memberships
    ADD COLUMN appear_offline boolean NOT NULL DEFAULT false,
    ADD COLUMN do_not_disturb boolean NOT NULL DEFAULT false;
-- The app changes only these columns of a membership (0007, 0021): these two as well.
GRANT UPDATE (appear_offline, do_not_disturb) ON memberships TO mingle_app;
