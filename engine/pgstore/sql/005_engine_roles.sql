-- gridtwin schema, version 5: the database enforces the engine's access
-- rules (engine/query/access.h), role for role.
--
--   engine role   database group role    scope (gridtwin.role_scopes)
--   district      gridtwin_district      its codes; none = the whole district
--   street        gridtwin_street        codes within ONE street; required
--   community     gridtwin_community     codes within ONE community; required
--   grid_head     gridtwin_grid_head     its grids (any codes); required
--   planner       gridtwin_planner       its codes; none = the whole district
--
-- A login role is granted exactly one group role (two is an error, none
-- sees nothing) and is given its scope as rows (role, code) in
-- gridtwin.role_scopes: grid (15 digits), community (12) or street (9)
-- codes, a code standing for every grid under it, as query::Scope::parse
-- expands them (a grid code starts with its community's code, which starts
-- with its street's). A scope that breaks the rules above makes every read
-- fail with a message that names the role, as makeAccess() refuses it.
--
-- What each role sees unmasked (query::disclosureOf):
--   role        person name  person phone  resident ID  staff phone
--   district    plain        masked        masked       plain
--   street      plain        masked        masked       plain
--   community   plain        plain         plain        plain
--   grid_head   plain        plain         masked       plain
--   planner     masked       masked        masked       masked
-- enforced twice: column privileges on the registers (a role cannot SELECT
-- a column it may only see masked) and the masked views people_masked,
-- entities_masked, staff_masked (every column, masked as the role's
-- disclosure says). A legal representative's name and phone count as a
-- person's name and phone; entities' names and credit codes are public.
--
-- Rows: row-level security on every register with a grid column: rows of
-- grids outside the scope are not there for SELECT. Writes go through the
-- <register>_edit views (buildings, houses, addresses, people, entities,
-- facilities, events): an UPDATE that reaches a row outside the scope FAILS
-- (insufficient_privilege) instead of silently changing 0 rows, and moving a
-- row out of the scope fails too (CHECK OPTION). The registers themselves
-- take no UPDATE or DELETE from these roles; events take INSERT, checked
-- against the scope (an event reported into another grid fails).
--
-- gridtwin_operator (002) is retired: the engine has no such role; it
-- keeps no privilege (a cluster role is not dropped: other databases of the
-- cluster may still name it).

-- ---- codes and keys in collation "C": B-tree builds of the ingest sort
-- with abbreviated keys (a libc collation such as C.UTF-8 compares with
-- strcoll() and gets none). Full district, load ~6 on 2 cores: events
-- (grid_code) 4.5 s -> 3.2 s, people (id_number) 3.1 s -> 2.0 s. Codes are
-- ASCII digits and letters: "C" orders them as before. Views and policies
-- that read these columns block ALTER COLUMN TYPE: 002's go first, and are
-- replaced below.
DROP VIEW gridtwin.people_masked, gridtwin.entities_masked, gridtwin.staff_masked;
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT schemaname, tablename, policyname FROM pg_policies
           WHERE schemaname = 'gridtwin' LOOP
    EXECUTE format('DROP POLICY %I ON %I.%I', r.policyname, r.schemaname, r.tablename);
  END LOOP;
  FOR r IN SELECT c.table_name, c.column_name FROM information_schema.columns c
           WHERE c.table_schema = 'gridtwin' AND c.data_type = 'text'
             AND c.table_name IN ('streets', 'communities', 'grids', 'staff', 'roads', 'buildings',
                                  'houses', 'addresses', 'people', 'entities', 'facilities',
                                  'events', 'layer_catalog', 'grid_heads')
             AND (c.column_name ~ '(^|_)code$' OR c.column_name IN ('id_number', 'staff_id',
                                                                   'layer_id'))
           ORDER BY 1, 2 LOOP
    EXECUTE format('ALTER TABLE gridtwin.%I ALTER COLUMN %I TYPE text COLLATE "C"',
                   r.table_name, r.column_name);
  END LOOP;
END
$$;

-- ---- roles

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['gridtwin_district', 'gridtwin_street', 'gridtwin_community',
                           'gridtwin_grid_head', 'gridtwin_planner'] LOOP
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

-- ---- scopes: grid_heads (002) becomes the scope of every role

CREATE TABLE gridtwin.role_scopes (
  role_name name NOT NULL,
  code text COLLATE "C" NOT NULL CHECK (code ~ '^([0-9]{9}|[0-9]{12}|[0-9]{15})$'),
  PRIMARY KEY (role_name, code)
);
INSERT INTO gridtwin.role_scopes (role_name, code)
  SELECT role_name, grid_code FROM gridtwin.grid_heads;
DROP TABLE gridtwin.grid_heads;
-- Each role reads its own rows (and those of roles it belongs to).
ALTER TABLE gridtwin.role_scopes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON gridtwin.role_scopes
  USING (role_name IN (SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER')));

-- The engine role of the current user: 'district', 'street', 'community',
-- 'grid_head', 'planner'; 'owner' for a superuser or the schema's owner
-- (every grid; masked views still mask: private by default); NULL for a
-- role granted none (sees no row). Two of them is an error.
CREATE OR REPLACE FUNCTION gridtwin.access_role() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  r text;
  found text[] := '{}';
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     OR pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'gridtwin'),
                    'MEMBER') THEN
    RETURN 'owner';
  END IF;
  FOREACH r IN ARRAY ARRAY['district', 'street', 'community', 'grid_head', 'planner'] LOOP
    IF pg_has_role(current_user, 'gridtwin_' || r, 'MEMBER') THEN
      found := found || r;
    END IF;
  END LOOP;
  IF cardinality(found) > 1 THEN
    RAISE EXCEPTION 'role % holds % gridtwin roles (%): grant it exactly one', current_user,
      cardinality(found), array_to_string(found, ', ')
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN found[1];
END
$$;

-- The scope codes of the current user, checked as query::makeAccess checks
-- them. Errors name the role and the rule.
CREATE FUNCTION gridtwin.scope_codes() RETURNS SETOF text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  kind text := gridtwin.access_role();
  codes text[];
  units int;
BEGIN
  IF kind IS NULL THEN
    RETURN;  -- no gridtwin role: no scope (and maybe no right to read role_scopes)
  END IF;
  SELECT array_agg(s.code) INTO codes
  FROM gridtwin.role_scopes s JOIN pg_roles r ON r.rolname = s.role_name
  WHERE pg_has_role(current_user, r.oid, 'MEMBER');
  IF kind IN ('street', 'community', 'grid_head') AND codes IS NULL THEN
    RAISE EXCEPTION 'role % (gridtwin_%) needs a scope: grid, community or street codes in '
      'gridtwin.role_scopes', current_user, kind USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF kind = 'street' THEN
    SELECT count(DISTINCT left(c, 9)) INTO units FROM unnest(codes) c;
  ELSIF kind = 'community' THEN
    SELECT count(*) INTO units FROM (
      SELECT left(c, 12) FROM unnest(codes) c WHERE length(c) >= 12
      UNION
      SELECT m.code FROM unnest(codes) c JOIN gridtwin.communities m ON m.street_code = c
      WHERE length(c) = 9) u;
  END IF;
  IF units > 1 THEN
    RAISE EXCEPTION 'a % scope must lie within one %, the scope of role % spans %', kind, kind,
      current_user, units USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY SELECT unnest(codes);
END
$$;

-- True when the current user sees every grid: the owner, and district or
-- planner roles without scope rows.
CREATE OR REPLACE FUNCTION gridtwin.sees_all_grids() RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  kind text := gridtwin.access_role();
BEGIN
  RETURN kind = 'owner'
      OR (kind IN ('district', 'planner') AND NOT EXISTS (SELECT FROM gridtwin.scope_codes()));
END
$$;

-- The codes of the grids the current user sees: the rows of gridtwin.grids
-- its row-level security leaves (invoker's rights, also when called from a
-- view).
CREATE FUNCTION gridtwin.visible_grids() RETURNS SETOF text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  IF gridtwin.access_role() IS NULL THEN
    RETURN;  -- no gridtwin role: no grid (and maybe no right to read grids)
  END IF;
  RETURN QUERY SELECT code::text FROM gridtwin.grids;
END
$$;

-- 002's helpers, on the new scope.
CREATE OR REPLACE FUNCTION gridtwin.headed_grids() RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT gridtwin.visible_grids()
$$;
CREATE OR REPLACE FUNCTION gridtwin.grid_visible(code text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT gridtwin.sees_all_grids() OR code IN (SELECT gridtwin.visible_grids())
$$;

-- For the _edit views: true in scope, an error outside it.
CREATE FUNCTION gridtwin.require_scope(register text, grid_code text) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  IF gridtwin.sees_all_grids() OR grid_code IN (SELECT gridtwin.visible_grids()) THEN
    RETURN true;
  END IF;
  RAISE EXCEPTION 'gridtwin.%: the row is in a grid outside the scope of role %', register,
    current_user
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'name the rows by key or by grid code within your grids';
END
$$;

-- What the current user sees unmasked, as query::disclosureOf says.
CREATE FUNCTION gridtwin.disclosure(OUT person_name boolean, OUT person_phone boolean,
                                    OUT person_id_number boolean, OUT staff_phone boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  CASE gridtwin.access_role()
    WHEN 'district', 'street' THEN
      person_name := true; person_phone := false; person_id_number := false; staff_phone := true;
    WHEN 'community' THEN
      person_name := true; person_phone := true; person_id_number := true; staff_phone := true;
    WHEN 'grid_head' THEN
      person_name := true; person_phone := true; person_id_number := false; staff_phone := true;
    ELSE  -- planner, the owner, no role: everything masked
      person_name := false; person_phone := false; person_id_number := false; staff_phone := false;
  END CASE;
END
$$;

-- ---- row-level security: the grids in scope, then every register's rows
-- of those grids. Subqueries run once per statement (hashed).

CREATE POLICY grid_scope ON gridtwin.grids
  USING ((SELECT gridtwin.sees_all_grids())
         OR left(code, 9) IN (SELECT gridtwin.scope_codes())
         OR left(code, 12) IN (SELECT gridtwin.scope_codes())
         OR code IN (SELECT gridtwin.scope_codes()));

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['buildings', 'houses', 'addresses', 'people', 'entities',
                           'facilities', 'events'] LOOP
    EXECUTE format('CREATE POLICY grid_scope ON gridtwin.%I USING ((SELECT '
                   'gridtwin.sees_all_grids()) OR grid_code IN (SELECT gridtwin.visible_grids()))'
                   ' WITH CHECK ((SELECT gridtwin.sees_all_grids()) OR grid_code IN (SELECT '
                   'gridtwin.visible_grids()))', t);
  END LOOP;
END
$$;

-- ---- masked views: the owner's rights (roles need no column privilege on
-- the registers), the scope applied here, masking per the caller's role.
-- security_barrier: a caller's function cannot see rows before the scope.

CREATE VIEW gridtwin.people_masked WITH (security_barrier) AS
  SELECT p.fid, p.person_id,
         CASE WHEN d.person_id_number THEN p.id_number
              ELSE gridtwin.mask_resident_id(p.id_number) END AS id_number,
         CASE WHEN d.person_name THEN p.name ELSE gridtwin.mask_name(p.name) END AS name,
         p.sex, left(p.birth_date, 4) AS birth_year,
         CASE WHEN d.person_phone THEN p.phone ELSE gridtwin.mask_phone(p.phone) END AS phone,
         p.tags, p.household_role, p.house_id, p.grid_code
  FROM gridtwin.people p CROSS JOIN gridtwin.disclosure() d
  WHERE (SELECT gridtwin.sees_all_grids()) OR p.grid_code IN (SELECT gridtwin.visible_grids());

CREATE VIEW gridtwin.entities_masked WITH (security_barrier) AS
  SELECT e.fid, e.entity_id, e.credit_code, e.name, e.industry, e.type, e.credit_color,
         CASE WHEN d.person_name THEN e.legal_rep ELSE gridtwin.mask_name(e.legal_rep) END
           AS legal_rep,
         CASE WHEN d.person_phone THEN e.phone ELSE gridtwin.mask_phone(e.phone) END AS phone,
         e.address_code, e.building_id, e.grid_code, e.registered_on, e.geom
  FROM gridtwin.entities e CROSS JOIN gridtwin.disclosure() d
  WHERE (SELECT gridtwin.sees_all_grids()) OR e.grid_code IN (SELECT gridtwin.visible_grids());

-- Staff are officials: names for everyone, phones for all roles but planner.
CREATE VIEW gridtwin.staff_masked WITH (security_barrier) AS
  SELECT s.fid, s.staff_id, s.name, s.role,
         CASE WHEN d.staff_phone THEN s.phone ELSE gridtwin.mask_phone(s.phone) END AS phone,
         s.grid_codes
  FROM gridtwin.staff s CROSS JOIN gridtwin.disclosure() d;

-- ---- edit views: writes that fail outside the scope. Row-level security
-- would filter the rows an UPDATE names (0 rows, no error); these views see
-- every row with the owner's rights and call require_scope() on each row
-- the statement reaches. PostgreSQL evaluates the caller's cheap leakproof
-- conditions (=, <, IN lists on keys and codes) first, so an UPDATE by key
-- or by grid code only meets its own rows; a condition it cannot run first
-- (LIKE, a function, a subquery) meets rows outside and fails the statement.
-- Callers may read only the keys and grid_code here (to name rows).

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['buildings', 'houses', 'addresses', 'people', 'entities',
                           'facilities', 'events'] LOOP
    EXECUTE format('CREATE VIEW gridtwin.%I WITH (security_barrier) AS SELECT * FROM gridtwin.%I'
                   ' WHERE gridtwin.require_scope(%L, grid_code) WITH CASCADED CHECK OPTION',
                   t || '_edit', t, t);
  END LOOP;
END
$$;

-- ---- privileges: start from nothing

REVOKE ALL ON ALL TABLES IN SCHEMA gridtwin FROM gridtwin_district, gridtwin_operator,
  gridtwin_planner, gridtwin_grid_head, gridtwin_street, gridtwin_community, PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA gridtwin REVOKE SELECT ON TABLES FROM gridtwin_operator;
REVOKE USAGE ON SCHEMA gridtwin FROM gridtwin_operator;
GRANT USAGE ON SCHEMA gridtwin TO gridtwin_district, gridtwin_street, gridtwin_community,
  gridtwin_grid_head, gridtwin_planner;
-- tables that ingest creates (thematic tables, map layers): readable by all five
ALTER DEFAULT PRIVILEGES IN SCHEMA gridtwin GRANT SELECT ON TABLES TO gridtwin_district,
  gridtwin_street, gridtwin_community, gridtwin_grid_head, gridtwin_planner;

DO $$
DECLARE
  roles text[] := ARRAY['district', 'street', 'community', 'grid_head', 'planner'];
  r text;
  t record;
  cols text;
  upd text;
  hidden text[];
BEGIN
  -- existing non-register tables (a re-migrated database's layers) and bookkeeping
  FOR t IN SELECT c.relname FROM pg_class c
           WHERE c.relnamespace = 'gridtwin'::regnamespace AND c.relkind IN ('r', 'v')
             AND c.relname NOT IN ('people', 'entities', 'staff', 'schema_version')
             AND c.relname NOT LIKE '%\_edit' LOOP
    FOREACH r IN ARRAY roles LOOP
      EXECUTE format('GRANT SELECT ON gridtwin.%I TO %I', t.relname, 'gridtwin_' || r);
    END LOOP;
  END LOOP;
  FOREACH r IN ARRAY roles LOOP
    -- personal columns a role may not read in clear: not granted at all
    FOR t IN SELECT * FROM (VALUES
        ('people', CASE r WHEN 'community' THEN '{}'::text[]
                          WHEN 'grid_head' THEN '{id_number}'
                          WHEN 'planner' THEN '{id_number,name,phone,birth_date}'
                          ELSE '{id_number,phone}' END),
        ('entities', CASE r WHEN 'community' THEN '{}'::text[]
                            WHEN 'grid_head' THEN '{}'
                            WHEN 'planner' THEN '{legal_rep,phone}'
                            ELSE '{phone}' END),
        ('staff', CASE r WHEN 'planner' THEN '{phone}'::text[] ELSE '{}' END)) v(tbl, hide) LOOP
      SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) INTO cols
      FROM information_schema.columns
      WHERE table_schema = 'gridtwin' AND table_name = t.tbl AND column_name <> ALL (t.hide);
      EXECUTE format('GRANT SELECT (%s) ON gridtwin.%I TO %I', cols, t.tbl, 'gridtwin_' || r);
    END LOOP;
    CONTINUE WHEN r = 'planner';  -- planners read; they change nothing
    -- edit views: read the keys and grid_code, update what the role may see
    FOR t IN SELECT * FROM (VALUES ('buildings', 'building_id'), ('houses', 'house_id'),
        ('addresses', 'address_code'), ('people', 'person_id'), ('entities', 'entity_id'),
        ('facilities', 'facility_id'), ('events', 'event_id')) v(tbl, id) LOOP
      hidden := CASE
        WHEN t.tbl = 'people' AND r = 'grid_head' THEN '{id_number}'::text[]
        WHEN t.tbl = 'people' AND r IN ('district', 'street') THEN '{id_number,phone}'
        WHEN t.tbl = 'entities' AND r IN ('district', 'street') THEN '{phone}'
        ELSE '{}' END;
      SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) INTO upd
      FROM information_schema.columns
      WHERE table_schema = 'gridtwin' AND table_name = t.tbl
        AND column_name NOT IN ('fid', t.id) AND column_name <> ALL (hidden);
      EXECUTE format('GRANT SELECT (fid, %I, grid_code), UPDATE (%s) ON gridtwin.%I TO %I',
                     t.id, upd, t.tbl || '_edit', 'gridtwin_' || r);
    END LOOP;
    EXECUTE format('GRANT INSERT ON gridtwin.events TO %I', 'gridtwin_' || r);
  END LOOP;
END
$$;
