"""Where the registry lives and how it is opened: locations, the database, dialect specifics."""
