-- swarmgate accounting posthook: transfer totals per torrent and day, and per token subject, torrent and day.
-- Every tracker instance adds its deltas with INSERT ... ON CONFLICT DO UPDATE SET x = x + EXCLUDED.x, so
-- several instances write into the same rows without overwriting each other. Days are UTC dates.

CREATE TABLE accounting_torrent_day (
    info_hash  bytea  NOT NULL CHECK (octet_length(info_hash) = 20),
    day        date   NOT NULL,
    uploaded   bigint NOT NULL DEFAULT 0 CHECK (uploaded >= 0),
    downloaded bigint NOT NULL DEFAULT 0 CHECK (downloaded >= 0),
    completed  bigint NOT NULL DEFAULT 0 CHECK (completed >= 0),
    announces  bigint NOT NULL DEFAULT 0 CHECK (announces >= 0),
    PRIMARY KEY (info_hash, day)
);

CREATE TABLE accounting_subject_torrent_day (
    subject    text   NOT NULL,
    info_hash  bytea  NOT NULL CHECK (octet_length(info_hash) = 20),
    day        date   NOT NULL,
    uploaded   bigint NOT NULL DEFAULT 0 CHECK (uploaded >= 0),
    downloaded bigint NOT NULL DEFAULT 0 CHECK (downloaded >= 0),
    completed  bigint NOT NULL DEFAULT 0 CHECK (completed >= 0),
    announces  bigint NOT NULL DEFAULT 0 CHECK (announces >= 0),
    PRIMARY KEY (subject, info_hash, day)
);

-- "which torrents did this torrent's subjects pull" is served by the primary key; this one answers
-- "who pulled this torrent" without a scan
CREATE INDEX accounting_subject_torrent_day_by_torrent ON accounting_subject_torrent_day (info_hash, day);

-- The last flush each tracker process committed. A flush writes its sequence number in the same transaction
-- as its rows, so a flush retried after a lost COMMIT answer finds its number already here and is not
-- applied twice. One row per process start (instance is random per start).
CREATE TABLE accounting_flushes (
    instance   uuid        PRIMARY KEY,
    seq        bigint      NOT NULL,
    flushed_at timestamptz NOT NULL DEFAULT now()
);
