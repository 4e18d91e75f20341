CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_user_idx` ON `api_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `broker_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`exchange` text,
	`credentials_encrypted` text,
	`credentials_hint` text,
	`testnet` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `broker_accounts_user_idx` ON `broker_accounts` (`user_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_user_seq_idx` ON `events` (`user_id`,`seq`);--> statement-breakpoint
CREATE TABLE `executions` (
	`id` text PRIMARY KEY NOT NULL,
	`strategy_id` text NOT NULL,
	`version_id` text,
	`symbol` text NOT NULL,
	`resolution` text NOT NULL,
	`close_time` integer NOT NULL,
	`status` text NOT NULL,
	`signal` text,
	`confidence` real,
	`price` real,
	`stop_loss_hint` real,
	`take_profit_hint` real,
	`reason` text,
	`subscriber_count` integer DEFAULT 0 NOT NULL,
	`trades_created` integer DEFAULT 0 NOT NULL,
	`error_kind` text,
	`error_message` text,
	`log` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`run_ms` real,
	`fanout_ms` real,
	`worker_id` text,
	FOREIGN KEY (`strategy_id`) REFERENCES `strategies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `executions_candle_uq` ON `executions` (`strategy_id`,`symbol`,`resolution`,`close_time`);--> statement-breakpoint
CREATE INDEX `executions_strategy_close_idx` ON `executions` (`strategy_id`,`close_time`);--> statement-breakpoint
CREATE INDEX `executions_status_started_idx` ON `executions` (`status`,`started_at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `strategies` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`author_id` text NOT NULL,
	`visibility` text DEFAULT 'draft' NOT NULL,
	`latest_version_id` text,
	`resolution` text,
	`symbols` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`subscriber_count` integer DEFAULT 0 NOT NULL,
	`return_pct` real DEFAULT 0 NOT NULL,
	`trades_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `strategies_slug_unique` ON `strategies` (`slug`);--> statement-breakpoint
CREATE INDEX `strategies_public_subscribers_idx` ON `strategies` (`visibility`,`subscriber_count`);--> statement-breakpoint
CREATE INDEX `strategies_public_return_idx` ON `strategies` (`visibility`,`return_pct`);--> statement-breakpoint
CREATE INDEX `strategies_public_created_idx` ON `strategies` (`visibility`,`created_at`);--> statement-breakpoint
CREATE INDEX `strategies_author_idx` ON `strategies` (`author_id`);--> statement-breakpoint
CREATE TABLE `strategy_symbols` (
	`strategy_id` text NOT NULL,
	`symbol` text NOT NULL,
	PRIMARY KEY(`strategy_id`, `symbol`),
	FOREIGN KEY (`strategy_id`) REFERENCES `strategies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `strategy_symbols_symbol_idx` ON `strategy_symbols` (`symbol`);--> statement-breakpoint
CREATE TABLE `strategy_tags` (
	`strategy_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`strategy_id`, `tag`),
	FOREIGN KEY (`strategy_id`) REFERENCES `strategies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `strategy_tags_tag_idx` ON `strategy_tags` (`tag`);--> statement-breakpoint
CREATE TABLE `strategy_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`strategy_id` text NOT NULL,
	`version` text NOT NULL,
	`version_rank` integer NOT NULL,
	`code` text NOT NULL,
	`symbols` text NOT NULL,
	`resolution` text NOT NULL,
	`lookback` integer NOT NULL,
	`params` text DEFAULT '{}' NOT NULL,
	`changelog` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'published' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`published_at` integer,
	FOREIGN KEY (`strategy_id`) REFERENCES `strategies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `strategy_versions_strategy_version_uq` ON `strategy_versions` (`strategy_id`,`version`);--> statement-breakpoint
CREATE INDEX `strategy_versions_strategy_rank_idx` ON `strategy_versions` (`strategy_id`,`version_rank`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`strategy_id` text NOT NULL,
	`pinned_version_id` text,
	`broker_account_id` text NOT NULL,
	`capital` real NOT NULL,
	`risk_per_trade` real NOT NULL,
	`leverage` real NOT NULL,
	`max_open_positions` integer NOT NULL,
	`max_daily_loss` real NOT NULL,
	`stop_loss_atr` real NOT NULL,
	`take_profit_atr` real NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`paused_at` integer,
	`cancelled_at` integer,
	`trades_count` integer DEFAULT 0 NOT NULL,
	`wins` integer DEFAULT 0 NOT NULL,
	`losses` integer DEFAULT 0 NOT NULL,
	`total_pnl` real DEFAULT 0 NOT NULL,
	`pnl_day_start` integer DEFAULT 0 NOT NULL,
	`pnl_today` real DEFAULT 0 NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`strategy_id`) REFERENCES `strategies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`broker_account_id`) REFERENCES `broker_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subscriptions_strategy_status_idx` ON `subscriptions` (`strategy_id`,`status`);--> statement-breakpoint
CREATE INDEX `subscriptions_user_status_idx` ON `subscriptions` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `trades` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`execution_id` text NOT NULL,
	`user_id` text NOT NULL,
	`strategy_id` text NOT NULL,
	`symbol` text NOT NULL,
	`side` text,
	`status` text NOT NULL,
	`quantity` real,
	`entry_price` real,
	`stop_loss` real,
	`take_profit` real,
	`entry_fee` real,
	`exit_price` real,
	`exit_fee` real,
	`pnl` real,
	`client_order_id` text,
	`reason` text,
	`exit_reason` text,
	`exit_execution_id` text,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trades_execution_subscription_uq` ON `trades` (`execution_id`,`subscription_id`);--> statement-breakpoint
CREATE INDEX `trades_subscription_status_idx` ON `trades` (`subscription_id`,`status`);--> statement-breakpoint
CREATE INDEX `trades_strategy_status_idx` ON `trades` (`strategy_id`,`status`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);