-- gridtwin schema, version 1: the district's registers as typed tables.
--
-- Columns and their order mirror the dataset GeoPackage (`gridtwin generate`)
-- so that GeoPackage -> PostGIS -> GeoPackage loses nothing; the constraints
-- add what the exchange format cannot say: keys, links, code shapes, check
-- digits, geometry type, SRID 4490 and validity. Every table keeps the
-- GeoPackage's `fid` as its primary key (row order and identity).
-- Tables of other sources (thematic tables, the 244 map layers) are created
-- by ingest beside these, with a typed geometry column and a GiST index.

CREATE SCHEMA IF NOT EXISTS gridtwin;

-- ---- check digits, as engine/ident computes them (tests compare the two)
-- Written in the SQL language as single expressions so the planner inlines
-- them into the CHECK constraints: ~10x faster than PL/pgSQL per row, which
-- matters when COPY checks 1.4 million ID numbers.

-- GB 11643: ISO 7064 MOD 11-2 over the first 17 digits; NULL when first17
-- is not 17 ASCII digits.
CREATE FUNCTION gridtwin.resident_id_check_digit(first17 text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN first17 ~ '^[0-9]{17}$' THEN substr('10X98765432', 1 + (
      7 * substr(first17, 1, 1)::int + 9 * substr(first17, 2, 1)::int
    + 10 * substr(first17, 3, 1)::int + 5 * substr(first17, 4, 1)::int
    + 8 * substr(first17, 5, 1)::int + 4 * substr(first17, 6, 1)::int
    + 2 * substr(first17, 7, 1)::int + 1 * substr(first17, 8, 1)::int
    + 6 * substr(first17, 9, 1)::int + 3 * substr(first17, 10, 1)::int
    + 7 * substr(first17, 11, 1)::int + 9 * substr(first17, 12, 1)::int
    + 10 * substr(first17, 13, 1)::int + 5 * substr(first17, 14, 1)::int
    + 8 * substr(first17, 15, 1)::int + 4 * substr(first17, 16, 1)::int
    + 2 * substr(first17, 17, 1)::int) % 11, 1) END
$$;

-- An 18-character resident ID whose check digit is right ('x' accepted as 'X').
CREATE FUNCTION gridtwin.resident_id_valid(id text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT id ~ '^[0-9]{17}[0-9Xx]$'
     AND upper(substr(id, 18, 1)) = gridtwin.resident_id_check_digit(substr(id, 1, 17))
$$;

-- GB 32100: value of one code character (0-9 A-Z without I O S V Z), -1 otherwise.
CREATE FUNCTION gridtwin.credit_code_char_value(c text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', c) - 1
$$;

-- GB 32100 check character over the first 17; NULL when they are not 17
-- characters of the code set.
CREATE FUNCTION gridtwin.credit_code_check_char(first17 text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN first17 ~ '^[0-9A-HJ-NPQRTUWXY]{17}$' THEN
    substr('0123456789ABCDEFGHJKLMNPQRTUWXY', 1 + (31 - (
        1 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 1, 1)) - 1)
      + 3 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 2, 1)) - 1)
      + 9 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 3, 1)) - 1)
      + 27 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 4, 1)) - 1)
      + 19 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 5, 1)) - 1)
      + 26 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 6, 1)) - 1)
      + 16 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 7, 1)) - 1)
      + 17 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 8, 1)) - 1)
      + 20 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 9, 1)) - 1)
      + 29 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 10, 1)) - 1)
      + 25 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 11, 1)) - 1)
      + 13 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 12, 1)) - 1)
      + 8 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 13, 1)) - 1)
      + 24 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 14, 1)) - 1)
      + 10 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 15, 1)) - 1)
      + 30 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 16, 1)) - 1)
      + 28 * (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 17, 1)) - 1)
    ) % 31) % 31, 1) END
$$;

-- GB 11714 organisation code check character over an 8-character body
-- (digits, A=10 .. Z=35); NULL when body8 is not that.
CREATE FUNCTION gridtwin.organisation_code_check_char(body8 text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN body8 ~ '^[0-9A-Z]{8}$' THEN
    substr('0123456789X0', 1 + (11 - (
        3 * (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(body8, 1, 1)) - 1)
      + 7 * (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(body8, 2, 1)) - 1)
      + 9 * (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(body8, 3, 1)) - 1)
      + 10 * (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(body8, 4, 1)) - 1)
      + 5 * (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(body8, 5, 1)) - 1)
      + 8 * (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(body8, 6, 1)) - 1)
      + 4 * (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(body8, 7, 1)) - 1)
      + 2 * (strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(body8, 8, 1)) - 1)
    ) % 11), 1) END
$$;

-- An 18-character credit code (uppercase) with both check characters right.
CREATE FUNCTION gridtwin.credit_code_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'
     AND substr(code, 18, 1) = gridtwin.credit_code_check_char(substr(code, 1, 17))
     AND substr(code, 17, 1) = gridtwin.organisation_code_check_char(substr(code, 9, 8))
$$;

-- ---- bookkeeping

-- What the last ingest loaded, in source order: export writes the tables
-- back in this order, with the same geometry types and the views' own SQL.
CREATE TABLE gridtwin.dataset_tables (
  position integer NOT NULL,
  name text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('table', 'view')),
  geometry_type text,  -- GeoPackage geometry type name; NULL: no geometry
  description text NOT NULL DEFAULT '',
  view_sql text,       -- the source's SELECT of a view (SQLite dialect)
  core boolean NOT NULL DEFAULT false
);

-- ---- the registers

CREATE TABLE gridtwin.streets (
  fid bigint PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{9}$'),
  name text NOT NULL,
  area_m2 double precision,
  geom geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom))
);

CREATE TABLE gridtwin.communities (
  fid bigint PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{12}$'),
  name text NOT NULL,
  street_code text NOT NULL REFERENCES gridtwin.streets (code),
  area_m2 double precision,
  kind text,
  geom geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  CHECK (left(code, 9) = street_code)
);

CREATE TABLE gridtwin.grids (
  fid bigint PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{15}$'),
  name text NOT NULL,
  community_code text NOT NULL REFERENCES gridtwin.communities (code),
  street_code text REFERENCES gridtwin.streets (code),
  station_head_id text,
  station_head text,
  worker_ids text,
  worker_count bigint CHECK (worker_count >= 0),
  area_m2 double precision,
  kind text,
  geom geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  CHECK (left(code, 12) = community_code)
);

CREATE TABLE gridtwin.staff (
  fid bigint PRIMARY KEY,
  staff_id text NOT NULL UNIQUE,
  name text NOT NULL,
  role text,
  phone text,
  grid_codes text
);

CREATE TABLE gridtwin.roads (
  fid bigint PRIMARY KEY,
  road_id bigint NOT NULL UNIQUE,
  name text NOT NULL,
  class text NOT NULL
    CHECK (class IN ('expressway', 'arterial', 'main', 'secondary', 'branch', 'local', 'lane')),
  width_m double precision CHECK (width_m > 0),
  length_m double precision,
  community_code text REFERENCES gridtwin.communities (code),
  geom geometry(MultiLineString, 4490) NOT NULL CHECK (ST_IsValid(geom))
);

CREATE TABLE gridtwin.buildings (
  fid bigint PRIMARY KEY,
  building_id bigint NOT NULL UNIQUE,
  address_code text,  -- its door-plate address (FK below: the two tables point at each other)
  use text NOT NULL CHECK (use IN ('residential', 'commercial', 'industrial', 'public')),
  floors bigint CHECK (floors BETWEEN 0 AND 1000),
  height_m double precision CHECK (height_m >= 0),
  footprint_m2 double precision,
  rooms bigint,
  grid_code text NOT NULL REFERENCES gridtwin.grids (code),
  community_code text,
  street_code text,
  zone text,
  use_detail text,
  bim_model text,
  geom geometry(Polygon, 4490) NOT NULL CHECK (ST_IsValid(geom))
);

CREATE TABLE gridtwin.houses (
  fid bigint PRIMARY KEY,
  house_id bigint NOT NULL UNIQUE,
  address_code text,
  building_id bigint NOT NULL REFERENCES gridtwin.buildings (building_id),
  unit bigint CHECK (unit BETWEEN 0 AND 65535),
  floor bigint CHECK (floor BETWEEN -32768 AND 32767),
  room text,
  area_m2 double precision,
  grid_code text NOT NULL REFERENCES gridtwin.grids (code),
  occupancy text,
  geom geometry(Point, 4490)
);

CREATE TABLE gridtwin.addresses (
  fid bigint PRIMARY KEY,
  address_code text NOT NULL UNIQUE,
  level text NOT NULL CHECK (level IN ('doorplate', 'room')),
  parent_code text,
  building_id bigint NOT NULL REFERENCES gridtwin.buildings (building_id),
  house_id bigint REFERENCES gridtwin.houses (house_id),
  prov text,
  city text,
  district text,
  town text,
  community text,
  road text,
  roadno text,
  cellno text,
  floorno text,
  roomno text,
  full_text text,
  street_code text,
  community_code text,
  grid_code text NOT NULL REFERENCES gridtwin.grids (code),
  geom geometry(Point, 4490) NOT NULL,
  CHECK ((level = 'room') = (house_id IS NOT NULL))
);

ALTER TABLE gridtwin.buildings ADD FOREIGN KEY (address_code)
  REFERENCES gridtwin.addresses (address_code);
ALTER TABLE gridtwin.houses ADD FOREIGN KEY (address_code)
  REFERENCES gridtwin.addresses (address_code);

CREATE TABLE gridtwin.people (
  fid bigint PRIMARY KEY,
  person_id bigint NOT NULL UNIQUE,
  id_number text NOT NULL UNIQUE CHECK (gridtwin.resident_id_valid(id_number)),
  name text NOT NULL,
  sex text NOT NULL CHECK (sex IN ('男', '女')),
  birth_date text NOT NULL CHECK (birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  phone text,
  tags text,
  household_role text,
  house_id bigint NOT NULL REFERENCES gridtwin.houses (house_id),
  grid_code text NOT NULL REFERENCES gridtwin.grids (code),
  -- the ID number's birth date is the birth date
  CHECK (substr(id_number, 7, 8) = replace(birth_date, '-', ''))
);

CREATE TABLE gridtwin.entities (
  fid bigint PRIMARY KEY,
  entity_id bigint NOT NULL UNIQUE,
  credit_code text NOT NULL UNIQUE CHECK (gridtwin.credit_code_valid(credit_code)),
  name text NOT NULL,
  industry text NOT NULL,
  type text NOT NULL,
  credit_color text NOT NULL CHECK (credit_color IN ('green', 'yellow', 'red')),
  legal_rep text,
  phone text,
  address_code text,
  building_id bigint NOT NULL REFERENCES gridtwin.buildings (building_id),
  grid_code text NOT NULL REFERENCES gridtwin.grids (code),
  registered_on text,
  geom geometry(Point, 4490) NOT NULL
);

CREATE TABLE gridtwin.facilities (
  fid bigint PRIMARY KEY,
  facility_id bigint NOT NULL UNIQUE,
  type text NOT NULL,
  type_name text,
  owner_department text,  -- NULL: ownerless (无主部件)
  status text,
  grid_code text NOT NULL REFERENCES gridtwin.grids (code),
  installed_on text,
  heading_deg double precision,
  fov_deg double precision,
  mount_height_m double precision,
  purpose text,
  geom geometry(Point, 4490) NOT NULL
);

CREATE TABLE gridtwin.events (
  fid bigint PRIMARY KEY,
  event_id bigint NOT NULL UNIQUE,
  event_code text,
  category_code text NOT NULL,
  category_name text,
  category text,
  source text NOT NULL,
  reported_at text NOT NULL
    CHECK (reported_at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}'),
  status text NOT NULL,
  closed_at text,
  dispatch_level text NOT NULL CHECK (dispatch_level IN ('grid', 'community', 'street', 'district')),
  address_text text,
  report_crs text,
  report_x double precision,
  report_y double precision,
  grid_code text NOT NULL REFERENCES gridtwin.grids (code),
  geom geometry(Point, 4490),  -- NULL: reported by address text only
  CHECK (geom IS NOT NULL OR address_text IS NOT NULL)
);

CREATE TABLE gridtwin.layer_catalog (
  fid bigint PRIMARY KEY,
  layer_id text NOT NULL UNIQUE,
  table_name text,
  name text NOT NULL,
  category text,
  geometry_type text,
  source text,
  style text,
  min_scale bigint,
  max_scale bigint,
  owner_department text,
  feature_count bigint CHECK (feature_count >= 0)
);

-- ---- indexes: GiST on every geometry, B-tree on the links followed

CREATE INDEX streets_geom_idx ON gridtwin.streets USING gist (geom);
CREATE INDEX communities_geom_idx ON gridtwin.communities USING gist (geom);
CREATE INDEX grids_geom_idx ON gridtwin.grids USING gist (geom);
CREATE INDEX roads_geom_idx ON gridtwin.roads USING gist (geom);
CREATE INDEX buildings_geom_idx ON gridtwin.buildings USING gist (geom);
CREATE INDEX buildings_grid_idx ON gridtwin.buildings (grid_code);
CREATE INDEX houses_geom_idx ON gridtwin.houses USING gist (geom);
CREATE INDEX houses_building_idx ON gridtwin.houses (building_id);
CREATE INDEX addresses_geom_idx ON gridtwin.addresses USING gist (geom);
CREATE INDEX addresses_building_idx ON gridtwin.addresses (building_id);
CREATE INDEX people_house_idx ON gridtwin.people (house_id);
CREATE INDEX people_grid_idx ON gridtwin.people (grid_code);
CREATE INDEX entities_geom_idx ON gridtwin.entities USING gist (geom);
CREATE INDEX entities_grid_idx ON gridtwin.entities (grid_code);
CREATE INDEX facilities_geom_idx ON gridtwin.facilities USING gist (geom);
CREATE INDEX facilities_grid_idx ON gridtwin.facilities (grid_code);
CREATE INDEX events_geom_idx ON gridtwin.events USING gist (geom);
CREATE INDEX events_grid_idx ON gridtwin.events (grid_code);

-- ---- live events: every new event is announced on channel gridtwin_events
-- with its event_id; the engine's follower (pgstore/follower.h) reads it.

CREATE FUNCTION gridtwin.notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gridtwin_events', NEW.event_id::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER events_notify AFTER INSERT ON gridtwin.events
  FOR EACH ROW EXECUTE FUNCTION gridtwin.notify_event();

-- ---- bulk load: ingest drops the links and indexes, COPYs, then rebuilds
-- them in the same transaction (one pass each instead of one probe per row).

CREATE FUNCTION gridtwin.bulk_load_begin() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  CREATE TEMP TABLE gridtwin_saved_ddl (ord serial, ddl text) ON COMMIT DROP;
  -- keys first, then indexes, then foreign keys: the order to rebuild in
  INSERT INTO gridtwin_saved_ddl (ddl)
    SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                  pg_get_constraintdef(c.oid))
    FROM pg_constraint c
    WHERE c.connamespace = 'gridtwin'::regnamespace AND c.contype IN ('p', 'u')
      AND c.conrelid <> 'gridtwin.dataset_tables'::regclass
    ORDER BY c.contype, c.conrelid::regclass::text, c.conname;
  INSERT INTO gridtwin_saved_ddl (ddl)
    SELECT pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relnamespace = 'gridtwin'::regnamespace
      AND t.oid <> 'gridtwin.dataset_tables'::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY t.relname, i.indexrelid::regclass::text;
  INSERT INTO gridtwin_saved_ddl (ddl)
    SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                  pg_get_constraintdef(c.oid))
    FROM pg_constraint c
    WHERE c.connamespace = 'gridtwin'::regnamespace AND c.contype = 'f'
    ORDER BY c.conrelid::regclass::text, c.conname;
  FOR r IN SELECT c.conrelid::regclass AS rel, c.conname FROM pg_constraint c
           WHERE c.connamespace = 'gridtwin'::regnamespace AND c.contype = 'f' LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
  END LOOP;
  FOR r IN SELECT i.indexrelid::regclass AS idx
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relnamespace = 'gridtwin'::regnamespace
             AND t.oid <> 'gridtwin.dataset_tables'::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) LOOP
    EXECUTE format('DROP INDEX %s', r.idx);
  END LOOP;
  FOR r IN SELECT c.conrelid::regclass AS rel, c.conname FROM pg_constraint c
           WHERE c.connamespace = 'gridtwin'::regnamespace AND c.contype IN ('p', 'u')
             AND c.conrelid <> 'gridtwin.dataset_tables'::regclass LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
  END LOOP;
END
$$;

CREATE FUNCTION gridtwin.bulk_load_end() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT ddl FROM gridtwin_saved_ddl ORDER BY ord LOOP
    EXECUTE r.ddl;
  END LOOP;
  DROP TABLE gridtwin_saved_ddl;
END
$$;
