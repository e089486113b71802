-- Paired with the other backend's 0011_order_task_failures.sql; identical there.

-- One mechanism for the automatic tasks done for an order (its VAT invoice, its WZ) that
-- failed: the order waits until next_at_ms before the next try, with the reason for its
-- page. Replaces invoice_attempts and wz_failures, whose rows move here.
CREATE TABLE order_task_failures (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    order_id        TEXT NOT NULL,
    task            TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_at_ms      BIGINT NOT NULL,
    error           TEXT NOT NULL,
    PRIMARY KEY (organisation_id, order_id, task)
);
INSERT INTO order_task_failures (organisation_id, order_id, task, attempts, next_at_ms, error)
    SELECT organisation_id, order_id, 'invoice', attempts, next_at_ms, last_error FROM invoice_attempts;
INSERT INTO order_task_failures (organisation_id, order_id, task, attempts, next_at_ms, error)
    SELECT organisation_id, order_id, 'wz', attempts, next_at_ms, error FROM wz_failures;
DROP TABLE invoice_attempts;
DROP TABLE wz_failures;
