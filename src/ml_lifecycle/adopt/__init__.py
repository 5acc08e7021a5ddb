"""`ml-lifecycle adopt` and `ml-lifecycle update`: the lifecycle added to a
repository that already exists, and later template changes brought to it."""
