-- A replaced or removed picture or logo is deleted, so its old address stops serving it.
GRANT DELETE ON images TO mingle_app;
