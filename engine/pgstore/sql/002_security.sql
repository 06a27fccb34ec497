-- gridtwin schema, version 2: who may see what, enforced by the database.
--
-- Roles (NOLOGIN groups; a person's login role is granted one of them),
-- after the users of DESIGN.md:
--   gridtwin_district   district administration: every row, personal data in clear
--   gridtwin_operator   command-center operator: every grid, personal data masked
--                       only (people_masked, entities_masked; no SELECT on people)
--   gridtwin_planner    planner: every grid, no personal data at all
--   gridtwin_grid_head  grid station head: only the grids assigned to them in
--                       gridtwin.grid_heads, personal data in clear there
-- Row-level security on every table that carries a grid_code limits reads
-- and writes to the visible grids; an UPDATE that would move a row out of
-- them fails (WITH CHECK), and rows outside are neither seen nor touched.

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['gridtwin_district', 'gridtwin_operator', 'gridtwin_planner',
                           'gridtwin_grid_head'] LOOP
    -- Roles belong to the cluster: another database may be creating them right now.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END
$$;

-- Which login role heads which grid (several grids per head, several heads
-- per grid). Not linked to grids by a foreign key: assignments outlive a
-- re-ingest of the registers.
CREATE TABLE gridtwin.grid_heads (
  role_name name NOT NULL,
  grid_code text NOT NULL CHECK (grid_code ~ '^[0-9]{15}$'),
  PRIMARY KEY (role_name, grid_code)
);

-- True for roles that see every grid.
CREATE FUNCTION gridtwin.sees_all_grids() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT pg_has_role(current_user, 'gridtwin_district', 'USAGE')
      OR pg_has_role(current_user, 'gridtwin_operator', 'USAGE')
      OR pg_has_role(current_user, 'gridtwin_planner', 'USAGE')
$$;

-- The grids the current role heads (through any role it is a member of).
CREATE FUNCTION gridtwin.headed_grids() RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT grid_code FROM gridtwin.grid_heads WHERE pg_has_role(current_user, role_name, 'USAGE')
$$;

CREATE FUNCTION gridtwin.grid_visible(code text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT gridtwin.sees_all_grids() OR code IN (SELECT gridtwin.headed_grids())
$$;

-- ---- masking, as engine/ident/masking.h does it (tests compare the two)

-- 18-char ID: first 6 + 8 stars + last 4; 15 digits: first 6 + 6 stars +
-- last 3; anything else: 18 stars.
CREATE FUNCTION gridtwin.mask_resident_id(id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN id IS NULL THEN NULL
    WHEN id ~ '^[0-9]{17}[0-9Xx]$' THEN substr(id, 1, 6) || '********' || substr(id, 15, 4)
    WHEN id ~ '^[0-9]{15}$' THEN substr(id, 1, 6) || '******' || substr(id, 13, 3)
    ELSE '******************' END
$$;

-- By code points: 1 -> "*", 2 -> first + "*", n -> first + (n-2) stars + last;
-- a control character anywhere -> "***".
CREATE FUNCTION gridtwin.mask_name(n text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN n IS NULL THEN NULL
    WHEN n = '' THEN ''
    WHEN n ~ '[\x01-\x1f\x7f]' THEN '***'
    WHEN char_length(n) = 1 THEN '*'
    WHEN char_length(n) = 2 THEN left(n, 1) || '*'
    ELSE left(n, 1) || repeat('*', char_length(n) - 2) || right(n, 1) END
$$;

-- Mobile (11 digits from 1, optional "+86"/"86" and one space or dash
-- kept): 138****5678. Landline 0757-82345678: 0757-****5678. Else 11 stars.
CREATE FUNCTION gridtwin.mask_phone(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p IS NULL THEN NULL
    WHEN p ~ '^(\+86[ -]?|86[ -]?)?1[0-9]{10}$' THEN
      left(p, char_length(p) - 8) || '****' || right(p, 4)
    WHEN p ~ '^0[0-9]{2,3}-[0-9]{7,8}$' THEN
      split_part(p, '-', 1) || '-' || repeat('*', char_length(split_part(p, '-', 2)) - 4)
        || right(p, 4)
    ELSE '***********' END
$$;

-- ---- row-level security on everything that belongs to a grid

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['buildings', 'houses', 'addresses', 'people', 'entities',
                           'facilities', 'events'] LOOP
    EXECUTE format('ALTER TABLE gridtwin.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY grid_scope ON gridtwin.%I USING (gridtwin.sees_all_grids() '
                   'OR grid_code IN (SELECT gridtwin.headed_grids())) WITH CHECK '
                   '(gridtwin.sees_all_grids() OR grid_code IN (SELECT gridtwin.headed_grids()))', t);
  END LOOP;
END
$$;
-- grids themselves: a grid head sees their own grids' rows (the outline of
-- the neighbours comes from the layers).
ALTER TABLE gridtwin.grids ENABLE ROW LEVEL SECURITY;
CREATE POLICY grid_scope ON gridtwin.grids
  USING (gridtwin.sees_all_grids() OR code IN (SELECT gridtwin.headed_grids()))
  WITH CHECK (gridtwin.sees_all_grids() OR code IN (SELECT gridtwin.headed_grids()));

-- ---- masked views: personal data as the engine masks it. They run with the
-- owner's rights (so operators need no access to the base tables) and apply
-- the grid scope themselves.

CREATE VIEW gridtwin.people_masked AS
  SELECT fid, person_id, gridtwin.mask_resident_id(id_number) AS id_number,
         gridtwin.mask_name(name) AS name, sex, left(birth_date, 4) AS birth_year,
         gridtwin.mask_phone(phone) AS phone, tags, household_role, house_id, grid_code
  FROM gridtwin.people
  WHERE gridtwin.sees_all_grids() OR grid_code IN (SELECT gridtwin.headed_grids());

CREATE VIEW gridtwin.entities_masked AS
  SELECT fid, entity_id, credit_code, name, industry, type, credit_color,
         gridtwin.mask_name(legal_rep) AS legal_rep, gridtwin.mask_phone(phone) AS phone,
         address_code, building_id, grid_code, registered_on, geom
  FROM gridtwin.entities
  WHERE gridtwin.sees_all_grids() OR grid_code IN (SELECT gridtwin.headed_grids());

CREATE VIEW gridtwin.staff_masked AS
  SELECT fid, staff_id, name, role, gridtwin.mask_phone(phone) AS phone, grid_codes
  FROM gridtwin.staff;

-- ---- privileges

GRANT USAGE ON SCHEMA gridtwin TO gridtwin_district, gridtwin_operator, gridtwin_planner,
  gridtwin_grid_head;
GRANT SELECT ON ALL TABLES IN SCHEMA gridtwin TO gridtwin_district, gridtwin_grid_head;
GRANT UPDATE, INSERT, DELETE ON ALL TABLES IN SCHEMA gridtwin TO gridtwin_district;
GRANT UPDATE ON gridtwin.people, gridtwin.houses, gridtwin.buildings, gridtwin.addresses,
  gridtwin.entities, gridtwin.facilities, gridtwin.events TO gridtwin_grid_head;
GRANT INSERT ON gridtwin.events TO gridtwin_grid_head;
REVOKE ALL ON gridtwin.grid_heads FROM gridtwin_grid_head;
GRANT SELECT ON gridtwin.grid_heads TO gridtwin_grid_head, gridtwin_operator, gridtwin_planner;
-- operators and planners: everything but the personal registers
GRANT SELECT ON gridtwin.streets, gridtwin.communities, gridtwin.grids, gridtwin.roads,
  gridtwin.buildings, gridtwin.houses, gridtwin.addresses, gridtwin.facilities, gridtwin.events,
  gridtwin.layer_catalog, gridtwin.dataset_tables, gridtwin.staff_masked
  TO gridtwin_operator, gridtwin_planner;
GRANT SELECT ON gridtwin.people_masked, gridtwin.entities_masked TO gridtwin_operator,
  gridtwin_grid_head, gridtwin_district;
GRANT INSERT, UPDATE ON gridtwin.events TO gridtwin_operator;
-- tables that ingest creates later (thematic tables, map layers): readable by all four
ALTER DEFAULT PRIVILEGES IN SCHEMA gridtwin GRANT SELECT ON TABLES TO gridtwin_district,
  gridtwin_operator, gridtwin_planner, gridtwin_grid_head;
