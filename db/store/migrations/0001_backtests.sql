CREATE TABLE `backtests` (
	`id` text PRIMARY KEY NOT NULL,
	`strategy_id` text NOT NULL,
	`version_id` text NOT NULL,
	`user_id` text NOT NULL,
	`symbol` text NOT NULL,
	`resolution` text NOT NULL,
	`from_time` integer NOT NULL,
	`to_time` integer NOT NULL,
	`settings` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`progress` real DEFAULT 0 NOT NULL,
	`stats` text,
	`equity` text,
	`trades` text,
	`error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`strategy_id`) REFERENCES `strategies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`version_id`) REFERENCES `strategy_versions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `backtests_strategy_version_idx` ON `backtests` (`strategy_id`,`version_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `backtests_user_idx` ON `backtests` (`user_id`,`created_at`);