CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`trade_id` text NOT NULL,
	`execution_id` text NOT NULL,
	`broker_account_id` text NOT NULL,
	`leg` text NOT NULL,
	`client_order_id` text NOT NULL,
	`exchange_order_id` text,
	`symbol` text NOT NULL,
	`side` text NOT NULL,
	`quantity` real NOT NULL,
	`reference_price` real NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`reason` text,
	`filled_quantity` real,
	`average_price` real,
	`fee` real,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`sent_at` integer,
	`updated_at` integer,
	FOREIGN KEY (`trade_id`) REFERENCES `trades`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_account_client_id_uq` ON `orders` (`broker_account_id`,`client_order_id`);--> statement-breakpoint
CREATE INDEX `orders_state_created_idx` ON `orders` (`state`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_trade_idx` ON `orders` (`trade_id`);