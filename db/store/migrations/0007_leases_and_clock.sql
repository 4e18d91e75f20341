CREATE TABLE `deployment_clock` (
	`id` integer PRIMARY KEY NOT NULL,
	`scale` real NOT NULL,
	`real_anchor` integer NOT NULL,
	`simulated_anchor` integer NOT NULL,
	`simulated_start` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `executions` ADD `lease_until` integer;--> statement-breakpoint
CREATE INDEX `executions_running_lease_idx` ON `executions` (`lease_until`) WHERE status = 'RUNNING';