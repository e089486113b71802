-- Paired with the other backend's 0013_one_account_per_allegro_user.sql; identical there.

-- An Allegro user is one account per organisation, whichever connection linked it. Before
-- this, linking one login through two connections (the seller's own app and the
-- operator's) made two accounts, so every order was stored twice and invoices and
-- waybills landed on either copy. Each such group is merged into one survivor: the copy
-- that still works (active, then needing a new login, then disconnected), the most
-- recently updated first. Everything that names a copy moves to the survivor; nothing a
-- seller issued (invoices, WZ, waybills) is dropped. Of an order stored twice the copy
-- synced last stays. The survivor keeps its own settings and sync cursor, or takes those
-- of the best-ranked copy that has them.
CREATE TABLE account_merges (
    old_id        TEXT PRIMARY KEY,
    new_id        TEXT NOT NULL,
    rank_in_group BIGINT NOT NULL
);
INSERT INTO account_merges (old_id, new_id, rank_in_group)
SELECT id, first_id, rn FROM (
    SELECT id,
           FIRST_VALUE(id) OVER survivor_first AS first_id,
           ROW_NUMBER() OVER survivor_first AS rn
    FROM accounts
    WINDOW survivor_first AS (
        PARTITION BY organisation_id, allegro_user_id
        ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'needs_relogin' THEN 1 ELSE 2 END,
                 updated_at_ms DESC, created_at_ms, id
    )
) ranked
WHERE rn > 1;

-- Orders: of two copies of one order, the one synced last stays.
DELETE FROM orders WHERE EXISTS (
    SELECT 1 FROM account_merges m JOIN orders d ON d.account_id = m.old_id
    WHERE m.new_id = orders.account_id AND d.id = orders.id AND d.synced_at_ms > orders.synced_at_ms
);
DELETE FROM orders WHERE EXISTS (
    SELECT 1 FROM account_merges m JOIN orders s ON s.account_id = m.new_id
    WHERE m.old_id = orders.account_id AND s.id = orders.id
);
-- Three copies of one order (three connections): the copies left keep the latest.
DELETE FROM orders WHERE EXISTS (
    SELECT 1 FROM account_merges m JOIN account_merges n ON n.new_id = m.new_id
    JOIN orders o ON o.account_id = n.old_id
    WHERE m.old_id = orders.account_id AND o.id = orders.id
      AND (o.synced_at_ms > orders.synced_at_ms
           OR (o.synced_at_ms = orders.synced_at_ms AND n.rank_in_group < m.rank_in_group))
);
UPDATE orders SET account_id = (SELECT new_id FROM account_merges WHERE old_id = orders.account_id)
WHERE account_id IN (SELECT old_id FROM account_merges);

UPDATE order_history SET account_id = (SELECT new_id FROM account_merges WHERE old_id = order_history.account_id)
WHERE account_id IN (SELECT old_id FROM account_merges);
UPDATE imports SET account_id = (SELECT new_id FROM account_merges WHERE old_id = imports.account_id)
WHERE account_id IN (SELECT old_id FROM account_merges);
UPDATE staged_orders SET account_id = (SELECT new_id FROM account_merges WHERE old_id = staged_orders.account_id)
WHERE account_id IN (SELECT old_id FROM account_merges);
UPDATE invoices SET account_id = (SELECT new_id FROM account_merges WHERE old_id = invoices.account_id)
WHERE account_id IN (SELECT old_id FROM account_merges);
UPDATE shipments SET account_id = (SELECT new_id FROM account_merges WHERE old_id = shipments.account_id)
WHERE account_id IN (SELECT old_id FROM account_merges);
UPDATE product_offers SET account_id = (SELECT new_id FROM account_merges WHERE old_id = product_offers.account_id)
WHERE account_id IN (SELECT old_id FROM account_merges);
UPDATE oauth_states SET relink_account_id = (SELECT new_id FROM account_merges WHERE old_id = oauth_states.relink_account_id)
WHERE relink_account_id IN (SELECT old_id FROM account_merges);

UPDATE account_settings SET account_id = (SELECT new_id FROM account_merges WHERE old_id = account_settings.account_id)
WHERE account_id IN (
    SELECT m.old_id FROM account_merges m
    WHERE NOT EXISTS (SELECT 1 FROM account_settings s WHERE s.account_id = m.new_id)
      AND m.rank_in_group = (
          SELECT MIN(m2.rank_in_group) FROM account_merges m2
          JOIN account_settings s2 ON s2.account_id = m2.old_id
          WHERE m2.new_id = m.new_id
      )
);
DELETE FROM account_settings WHERE account_id IN (SELECT old_id FROM account_merges);

UPDATE sync_cursors SET account_id = (SELECT new_id FROM account_merges WHERE old_id = sync_cursors.account_id)
WHERE account_id IN (
    SELECT m.old_id FROM account_merges m
    WHERE NOT EXISTS (SELECT 1 FROM sync_cursors s WHERE s.account_id = m.new_id)
      AND m.rank_in_group = (
          SELECT MIN(m2.rank_in_group) FROM account_merges m2
          JOIN sync_cursors s2 ON s2.account_id = m2.old_id
          WHERE m2.new_id = m.new_id
      )
);
DELETE FROM sync_cursors WHERE account_id IN (SELECT old_id FROM account_merges);

DELETE FROM accounts WHERE id IN (SELECT old_id FROM account_merges);
DROP TABLE account_merges;

CREATE UNIQUE INDEX accounts_one_per_allegro_user ON accounts (organisation_id, allegro_user_id);
