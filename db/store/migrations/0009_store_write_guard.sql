CREATE TABLE `store_heartbeats` (
	`part` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
-- The write guard of ADR 155: inserting ok <> 1 aborts the statement, so a batch stops and rolls back.
CREATE VIEW `write_guard` AS SELECT 1 AS `ok`;
--> statement-breakpoint
CREATE TRIGGER `write_guard_abort` INSTEAD OF INSERT ON `write_guard` WHEN NEW.`ok` IS NOT 1
BEGIN
	SELECT RAISE(ABORT, 'candlecast write guard: condition not met');
END;
