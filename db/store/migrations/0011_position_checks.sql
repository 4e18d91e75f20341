CREATE TABLE `position_checks` (
	`broker_account_id` text NOT NULL,
	`asset` text NOT NULL,
	`baseline` real NOT NULL,
	`expected` real NOT NULL,
	`found` real NOT NULL,
	`differs` integer NOT NULL,
	`checked_at` integer NOT NULL,
	PRIMARY KEY(`broker_account_id`, `asset`),
	FOREIGN KEY (`broker_account_id`) REFERENCES `broker_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
