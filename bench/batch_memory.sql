/*
 * bench/batch_memory.sql: the memory one create_opportunities call of a
 * batch needs.  Run by bench/run as
 *     psql -v batchfile=<file with the batch's JSON array> -f batch_memory.sql
 * on an empty table; prints one line "memory: <figures>" for bench/run.
 *
 * Two probes, each in a fresh backend warmed up first by a 1-item batch
 * that is rolled back (library loaded, INSERT plan prepared, caches
 * filled), the batch given as a literal in the statement (so the figures
 * include the statement text, which a parameter would not):
 *
 *  1. peak RSS: the backend reads its own /proc/self/status (superuser's
 *     pg_read_file) before and after the call.  VmHWM is the peak resident
 *     set; less the shared memory touched for the first time (RssShmem
 *     growth: buffers and WAL, not the backend's own), its growth is the
 *     private peak of the statement, parsing the input included.
 *  2. memory contexts: pg_backend_memory_contexts sampled in the same
 *     statement right after the call returned, while its result row is
 *     still alive: the ExprContexts hold what the call allocated and had
 *     not freed yet (the answer included), the MessageContext the statement
 *     itself with its input parsed into jsonb.
 */

\set batch `cat :'batchfile'`

-- 1. peak RSS
\connect
BEGIN;
SELECT opportunities.create_opportunities('[{"name": "warm-up"}]') IS NOT NULL AS warm \gset
ROLLBACK;
SELECT (regexp_match(s, 'VmHWM:\s+(\d+) kB'))[1]::bigint AS hwm_kb,
	   (regexp_match(s, 'RssShmem:\s+(\d+) kB'))[1]::bigint AS shmem_kb
FROM pg_read_file('/proc/self/status') AS s \gset before_
SELECT octet_length(opportunities.create_opportunities(:'batch')::text) AS answer_bytes \gset
SELECT (regexp_match(s, 'VmHWM:\s+(\d+) kB'))[1]::bigint AS hwm_kb,
	   (regexp_match(s, 'RssShmem:\s+(\d+) kB'))[1]::bigint AS shmem_kb
FROM pg_read_file('/proc/self/status') AS s \gset after_

-- 2. memory contexts, in another fresh backend
\connect
BEGIN;
SELECT opportunities.create_opportunities('[{"name": "warm-up"}]') IS NOT NULL AS warm \gset
ROLLBACK;
WITH r AS MATERIALIZED (SELECT opportunities.create_opportunities(:'batch') AS answer)
SELECT sum(c.total_bytes) FILTER (WHERE c.name = 'ExprContext') AS expr_bytes,
	   sum(c.total_bytes) FILTER (WHERE c.name = 'MessageContext') AS message_bytes,
	   sum(c.total_bytes) AS all_bytes,
	   bool_and(r.answer->>'success' = 'true') AS success
FROM r, pg_backend_memory_contexts AS c \gset ctx_

\echo memory: :before_hwm_kb :before_shmem_kb :after_hwm_kb :after_shmem_kb :answer_bytes :ctx_expr_bytes :ctx_message_bytes :ctx_all_bytes :ctx_success
