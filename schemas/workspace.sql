-- gridkit workspace schema, version 1 (PRAGMA user_version = 1).
-- A SpatiaLite database: run after InitSpatialMetadata. {{SRID}} is the workspace CRS
-- (EPSG code, default 4490 = CGCS2000 geographic), fixed at `gridkit init`.
-- docs/workspace.md describes every table; a change here needs a migration in workspace.cpp.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Administrative units (NBS 统计用区划代码): 2/4/6/9/12-digit codes.
CREATE TABLE division (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5), -- 1 province .. 5 community/village
    parent_code TEXT,
    urban_rural TEXT                                            -- NBS 3-digit class, where known
);
SELECT AddGeometryColumn('division', 'geom', {{SRID}}, 'MULTIPOLYGON', 'XY');
SELECT CreateSpatialIndex('division', 'geom');
CREATE INDEX division_parent ON division (parent_code);

-- Grids (网格): 15-digit code = 12-digit community code + 3-digit sequence.
CREATE TABLE grid (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT,
    kind           TEXT,                 -- 基础网格 / 专属网格
    community_code TEXT,
    leader         TEXT,                 -- grid worker (网格员): a public service contact
    leader_phone   TEXT
);
SELECT AddGeometryColumn('grid', 'geom', {{SRID}}, 'MULTIPOLYGON', 'XY');
SELECT CreateSpatialIndex('grid', 'geom');

-- Micro-grids (微网格): 18-digit code = grid code + 3-digit sequence.
CREATE TABLE microgrid (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    grid_code    TEXT,
    name         TEXT,
    leader       TEXT,                   -- 微网格长 / 联络员
    leader_phone TEXT
);
SELECT AddGeometryColumn('microgrid', 'geom', {{SRID}}, 'MULTIPOLYGON', 'XY');
SELECT CreateSpatialIndex('microgrid', 'geom');
CREATE INDEX microgrid_grid ON microgrid (grid_code);

-- Buildings (楼栋): 17-digit code = community code + 5-digit sequence. `geom` is the footprint
-- where known; `location` is always set (the footprint's point on surface, or the given point).
CREATE TABLE building (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT,                 -- e.g. 3幢
    compound       TEXT,                 -- 小区
    community_code TEXT,
    floors         INTEGER,
    units          INTEGER,
    households     INTEGER,              -- declared household count (stands in where no house rows exist)
    use            TEXT,
    grid_code      TEXT,
    microgrid_code TEXT
);
SELECT AddGeometryColumn('building', 'geom', {{SRID}}, 'MULTIPOLYGON', 'XY');
SELECT AddGeometryColumn('building', 'location', {{SRID}}, 'POINT', 'XY');
SELECT CreateSpatialIndex('building', 'geom');
SELECT CreateSpatialIndex('building', 'location');
CREATE INDEX building_microgrid ON building (microgrid_code);

-- Standard addresses (标准地址): 24-digit code = building code + 3-digit unit + 4-digit room.
CREATE TABLE address (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    text           TEXT NOT NULL,        -- canonical standard-address text
    province       TEXT,
    city           TEXT,
    county         TEXT,
    township       TEXT,
    community      TEXT,
    road           TEXT,
    number         TEXT,                 -- door number (门牌号)
    compound       TEXT,
    building       TEXT,
    unit           TEXT,
    floor          TEXT,
    room           TEXT,
    level          TEXT,                 -- door / building / unit / room
    building_code  TEXT,
    grid_code      TEXT,
    microgrid_code TEXT
);
SELECT AddGeometryColumn('address', 'geom', {{SRID}}, 'POINT', 'XY');
SELECT CreateSpatialIndex('address', 'geom');
CREATE INDEX address_building ON address (building_code);

-- Real houses (实有房屋).
CREATE TABLE house (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    address_code   TEXT,
    use            TEXT,                 -- 住宅 / 商业 / 办公 / ...
    rental         INTEGER NOT NULL DEFAULT 0 CHECK (rental IN (0, 1)),
    area           REAL,
    status         TEXT,                 -- 自住 / 出租 / 空置
    occupied       INTEGER NOT NULL DEFAULT 1 CHECK (occupied IN (0, 1)),
    grid_code      TEXT,
    microgrid_code TEXT
);
CREATE INDEX house_address ON house (address_code);

-- Real population (实有人口). id_number and phone are personal data: masked on export.
CREATE TABLE person (
    id         INTEGER PRIMARY KEY,
    id_number  TEXT NOT NULL UNIQUE,
    name       TEXT,
    phone      TEXT,
    house_code TEXT,
    kind       TEXT,                     -- 户籍 / 流动 / 境外
    tenant     INTEGER NOT NULL DEFAULT 0 CHECK (tenant IN (0, 1))
);
CREATE INDEX person_house ON person (house_code);

-- Real organisations (实有单位), keyed by the unified social credit code.
CREATE TABLE org (
    id           INTEGER PRIMARY KEY,
    uscc         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    address_code TEXT,
    type         TEXT,
    contact      TEXT,
    phone        TEXT
);
CREATE INDEX org_address ON org (address_code);

-- Roads and compounds: the gazetteer for address matching, barriers for redistricting.
CREATE TABLE road (
    id   INTEGER PRIMARY KEY,
    name TEXT,
    kind TEXT
);
SELECT AddGeometryColumn('road', 'geom', {{SRID}}, 'MULTILINESTRING', 'XY');
SELECT CreateSpatialIndex('road', 'geom');

CREATE TABLE compound (
    id             INTEGER PRIMARY KEY,
    name           TEXT,
    community_code TEXT
);
SELECT AddGeometryColumn('compound', 'geom', {{SRID}}, 'MULTIPOLYGON', 'XY');
SELECT CreateSpatialIndex('compound', 'geom');

-- Intended gaps in the coverage (rivers, parks): not reported by validate.
CREATE TABLE allowed_gap (
    id     INTEGER PRIMARY KEY,
    name   TEXT,
    reason TEXT
);
SELECT AddGeometryColumn('allowed_gap', 'geom', {{SRID}}, 'MULTIPOLYGON', 'XY');
SELECT CreateSpatialIndex('allowed_gap', 'geom');

-- Redistricting plans, kept as history.
CREATE TABLE plan (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    command    TEXT NOT NULL,
    grid_code  TEXT NOT NULL,
    parameters TEXT NOT NULL,            -- JSON
    result     TEXT NOT NULL,            -- JSON measures
    applied    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plan_zone (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plan (id),
    code       TEXT NOT NULL,
    grid_code  TEXT NOT NULL,
    households INTEGER NOT NULL,
    members    TEXT NOT NULL             -- JSON array of building codes
);
SELECT AddGeometryColumn('plan_zone', 'geom', {{SRID}}, 'MULTIPOLYGON', 'XY');
CREATE INDEX plan_zone_plan ON plan_zone (plan_id);

-- One row per write command.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    time    TEXT NOT NULL,
    command TEXT NOT NULL,
    layer   TEXT,
    rows    INTEGER NOT NULL DEFAULT 0,
    detail  TEXT
);
