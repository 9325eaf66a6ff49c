//! event-archiver (being built).
