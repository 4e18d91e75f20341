DROP INDEX `strategies_public_resolution_idx`;--> statement-breakpoint
CREATE INDEX `strategies_public_id_idx` ON `strategies` (`visibility`,`id`);--> statement-breakpoint
CREATE INDEX `strategies_public_resolution_idx` ON `strategies` (`visibility`,`resolution`,`subscriber_count`,`id`);--> statement-breakpoint
DROP INDEX `strategy_symbols_symbol_idx`;--> statement-breakpoint
CREATE INDEX `strategy_symbols_symbol_idx` ON `strategy_symbols` (`symbol`,`strategy_id`);--> statement-breakpoint
DROP INDEX `strategy_tags_tag_idx`;--> statement-breakpoint
CREATE INDEX `strategy_tags_tag_idx` ON `strategy_tags` (`tag`,`strategy_id`);