-- 1 when the engine's verdict for the record rests on a rule with HTTP criteria (methods / paths)
-- that the record could not answer: an L3/L4 flow record carries no HTTP method or path, so such a
-- rule was taken as not matching and the computed verdict may be wrong. Flagged, never silently
-- counted as allowed or denied.
ALTER TABLE flows ADD COLUMN IF NOT EXISTS verdict_uncertain UInt8 DEFAULT 0;
