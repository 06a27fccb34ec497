-- gridtwin schema, version 7: cases (issue 13, item 5). The intake
-- (engine/cases) keeps each case here, one row per case in its last state,
-- committed before it answers; a payload-free notification on channel
-- gridtwin_cases wakes other servers and viewers, which read the rows under
-- their own role.
--
-- The rules of 006 hold here too:
-- - Writes: only the owner (the service, which checks the state machine,
--   the grid and the category) inserts or updates; the five roles read.
-- - Scope: row-level security as every register's: a case of a grid in the
--   reader's scope; a case without a grid (to be located by hand, outside
--   the district) only for those who see the whole district
--   (Intake::visible in the engine says the same).
-- - Masking: a case holds no register's personal field; its free text is
--   the caller's report and shown as given to those who may see the case.
-- - Functions pin their search_path and name catalog objects with their
--   schema; the notification carries no payload.

-- changed: the order of changes, for followers (pgstore::CaseFollower reads
-- the rows changed after the last it saw).
CREATE SEQUENCE gridtwin.cases_changed;
CREATE TABLE gridtwin.cases (
  case_id bigint PRIMARY KEY CHECK (case_id > 0),
  source text NOT NULL CHECK (source IN ('12345', '12319', 'grid_app', 'police', 'petition')),
  external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 256),
  grid_code text REFERENCES gridtwin.grids (code),  -- NULL: not located
  state text NOT NULL CHECK (state IN ('reported', 'classified', 'handling', 'follow_up', 'closed',
                                       'to_locate', 'to_classify', 'outside_district')),
  record text NOT NULL,  -- the case as engine/cases writes it (cases::toJson), history included
  changed bigint NOT NULL DEFAULT pg_catalog.nextval('gridtwin.cases_changed'),
  UNIQUE (source, external_id)
);
CREATE INDEX cases_grid ON gridtwin.cases (grid_code);
CREATE INDEX cases_changed_order ON gridtwin.cases (changed);

REVOKE ALL ON gridtwin.cases FROM PUBLIC;
GRANT SELECT ON gridtwin.cases TO gridtwin_district, gridtwin_street, gridtwin_community,
  gridtwin_grid_head, gridtwin_planner;

ALTER TABLE gridtwin.cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY grid_scope ON gridtwin.cases
  USING ((SELECT gridtwin.sees_all_grids()) OR grid_code IN (SELECT gridtwin.visible_grids()));

CREATE FUNCTION gridtwin.notify_case() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, gridtwin, pg_temp AS $$
BEGIN
  PERFORM pg_catalog.pg_notify('gridtwin_cases', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER cases_notify AFTER INSERT OR UPDATE ON gridtwin.cases
  FOR EACH STATEMENT EXECUTE FUNCTION gridtwin.notify_case();
