WITH policy AS (SELECT grant_requires, school_year_end_month, school_year_end_day, time_zone, after_leaving FROM policy_changes WHERE organisation_id = :org AND valid_from <= :at AND recorded_at <= :at ORDER BY valid_from DESC, id DESC LIMIT 1),
school_year AS (SELECT CASE WHEN local_day <= make_date(extract(year FROM local_day)::int, p.school_year_end_month, p.school_year_end_day) THEN extract(year FROM local_day)::int - 1 ELSE extract(year FROM local_day)::int END AS start_year FROM policy p CROSS JOIN LATERAL (SELECT (:at::timestamptz AT TIME ZONE p.time_zone)::date AS local_day) d),
not_begun AS MATERIALIZED (SELECT coalesce((SELECT array_agg(v.id) FROM consent_form_versions v JOIN consent_forms f ON f.id = v.form_id WHERE f.organisation_id = :org AND v.validity = 'SchoolYear' AND (left(v.school_year, 4)::int > y.start_year) IS NOT FALSE), '{}') AS version_ids FROM school_year y)
SELECT d.pupil_id, d.id, d.guardian_id, d.media_type, d.channel_key, d.outcome, d.given_at, d.recorded_at, d.sequence, d.form_version_id, v.validity, v.school_year, CASE WHEN v.withdrawn_at <= :at THEN v.withdrawn_at END
FROM unnest(:pupils::uuid[]) x(id) CROSS JOIN not_begun n
CROSS JOIN LATERAL (SELECT h.pupil_id, h.media_type, h.channel_key, h.guardian_id, h.given_at, h.sequence, h.id, h.outcome, h.form_version_id, h.recorded_at,
  h.given_at <= :at AND h.recorded_at <= :at AND NOT (h.outcome = 'Granted' AND h.form_version_id = ANY(n.version_ids)) AS counts
  FROM decision_heads h WHERE h.pupil_id = x.id AND h.media_type = :mt AND h.channel_key = :ch) h
CROSS JOIN LATERAL (SELECT h.pupil_id, h.media_type, h.channel_key, h.guardian_id, h.given_at, h.sequence, h.id, h.outcome, h.form_version_id, h.recorded_at WHERE h.counts
  UNION ALL (SELECT d.pupil_id, d.media_type, d.channel_key, d.guardian_id, d.given_at, d.sequence, d.id, d.outcome, d.form_version_id, d.recorded_at FROM decisions d WHERE d.given_at <= :at AND d.recorded_at <= :at AND NOT (d.outcome = 'Granted' AND d.form_version_id = ANY(n.version_ids)) AND NOT h.counts AND d.pupil_id = x.id AND d.media_type = :mt AND d.channel_key = :ch AND d.guardian_id IS NOT DISTINCT FROM h.guardian_id
  ORDER BY d.guardian_id, d.given_at DESC, d.sequence DESC LIMIT 1)) d
JOIN consent_form_versions v ON v.id = d.form_version_id;
