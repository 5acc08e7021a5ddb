"""Build-time generation for the template's own guide (the site in docs/)."""
