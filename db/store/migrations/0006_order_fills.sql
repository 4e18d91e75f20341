CREATE TABLE `order_fills` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`exchange_trade_id` text NOT NULL,
	`price` real NOT NULL,
	`quantity` real NOT NULL,
	`fee` real NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `order_fills_order_trade_uq` ON `order_fills` (`order_id`,`exchange_trade_id`);