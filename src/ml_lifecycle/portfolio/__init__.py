"""`ml-lifecycle portfolio`: a register of every ML system in an organisation,
built from the systems' own repositories.

It reads many lifecycle projects (local folders, a file listing folders or
git URLs, a folder of clones) and writes, into one output folder, the
register as JSON and CSV (schema.py documents both) and a static site
(MkDocs Material, as the projects' own sites) with the register table, a
page per system, what needs attention and the EU AI Act Annex VIII data of
high-risk systems.

The package by concern:

- members.py: what to read, from the command line and list files;
- cloning.py: git URLs, cloned shallow, bounded in time, running nothing;
- answers.py: a project's answers, site address and registration data;
- rows.py: one project, read with the checker (rules.check_project), as
  one row; a project that cannot be read is one row with its error;
- register.py: every member, on every core, in a stable order;
- annex_viii.py: the registration data of Annex VIII, Section A;
- gate.py: `--require` rules over the rows;
- schema.py: the JSON schema, the CSV columns and the CSV writer;
- pages.py, site.py: the site's Markdown and its build;
- output.py: writes confined to the output folder, each atomic;
- command.py: the subcommand's options and run.
"""
