ALTER TABLE `strategies` ADD `win_rate` real;--> statement-breakpoint
ALTER TABLE `strategies` ADD `sparkline` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `strategies_public_resolution_idx` ON `strategies` (`visibility`,`resolution`,`subscriber_count`);