CREATE TABLE `candles` (
	`source` text NOT NULL,
	`symbol` text NOT NULL,
	`resolution` text NOT NULL,
	`time` integer NOT NULL,
	`open` real NOT NULL,
	`high` real NOT NULL,
	`low` real NOT NULL,
	`close` real NOT NULL,
	`volume` real NOT NULL,
	`filled` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`source`, `symbol`, `resolution`, `time`)
);
--> statement-breakpoint
ALTER TABLE `backtests` ADD `market_source` text DEFAULT 'simulated' NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `market_source` text DEFAULT 'simulated' NOT NULL;