-- Stores a quota charge that was decided on rows read before it, in one
-- statement and so one round trip (prisma/store/quota-charge.ts). `plan` holds:
--   seen:        [{namespace, quotas}]  the quotas each decision read, as
--                "uid@resourceVersion" joined by "," in uid order (null: none);
--   seenTenants: [{name, tenant}]       the tenant row read, "uid@resourceVersion";
--   quotas:      [{uid, status}]        new quota statuses;
--   tenants:     [{uid, used}]          new tenant-wide usage;
--   changes:     [{kind, namespace, name, uid, before, after}] change rows;
--   actor.
-- With something to store it bumps the revision first, as every write does,
-- so it holds the revision's row lock and every statement after the bump sees
-- all writes committed before it (each statement takes a new snapshot). It
-- raises SQLSTATE WQ001, storing nothing, when a row read has changed since;
-- with nothing to store it only checks, and returns null.
CREATE FUNCTION "warden_charge"(plan JSONB) RETURNS BIGINT
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  rv BIGINT;
BEGIN
  IF jsonb_array_length(plan->'quotas') > 0 OR jsonb_array_length(plan->'tenants') > 0 THEN
    UPDATE policy_revision SET value = value + 1 WHERE id = 1 RETURNING value INTO rv;
    PERFORM pg_notify('warden_revision', rv::text);
  END IF;
  IF EXISTS (
       SELECT 1 FROM jsonb_to_recordset(plan->'seen') AS s(namespace TEXT, quotas TEXT)
        WHERE s.quotas IS DISTINCT FROM (
          SELECT string_agg(q.uid || '@' || q.resource_version, ',' ORDER BY q.uid COLLATE "C")
            FROM resource_quota q WHERE q.namespace = s.namespace))
     OR EXISTS (
       SELECT 1 FROM jsonb_to_recordset(plan->'seenTenants') AS s(name TEXT, tenant TEXT)
        WHERE s.tenant IS DISTINCT FROM (SELECT t.uid || '@' || t.resource_version FROM tenant t WHERE t.name = s.name)) THEN
    RAISE EXCEPTION 'the quotas a charge was decided on have changed' USING ERRCODE = 'WQ001';
  END IF;
  IF rv IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE resource_quota AS q SET status = v.status, resource_version = rv
    FROM jsonb_to_recordset(plan->'quotas') AS v(uid TEXT, status JSONB) WHERE q.uid = v.uid;
  UPDATE tenant AS t SET used = v.used, resource_version = rv
    FROM jsonb_to_recordset(plan->'tenants') AS v(uid TEXT, used JSONB) WHERE t.uid = v.uid;
  INSERT INTO "change" (revision, kind, namespace, name, uid, operation, actor, before, after)
  SELECT rv, c->>'kind', c->>'namespace', c->>'name', c->>'uid', 'update', plan->>'actor', c->'before',
         jsonb_set(c->'after', '{metadata,resourceVersion}', to_jsonb(rv::text))
    FROM jsonb_array_elements(plan->'changes') WITH ORDINALITY AS e(c, n) ORDER BY n;
  RETURN rv;
END
$$;
