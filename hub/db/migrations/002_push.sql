-- Web Push subscriptions (hub/push.ts): the phones told of alerts at any door. The keys are the
-- browser's public key and auth secret, what a sender needs; the hub's VAPID key is in hub-keys.json.
CREATE TABLE push_subscriptions (
  subscription_id text PRIMARY KEY,
  endpoint        text NOT NULL UNIQUE,
  p256dh          text NOT NULL,
  auth            text NOT NULL,
  label           text NOT NULL,
  created_at      bigint NOT NULL
);
