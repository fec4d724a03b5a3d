// Every notification goes through here, so each one has a close button a screen reader can
// name (axe `button-name`), and an error stays until the user has read and closed it.
import { notifications, type NotificationData } from '@mantine/notifications';
import { i18n } from './i18n/index.js';

/** A success notification closes by itself after this long; hovering it pauses the timer. */
const AUTO_CLOSE_MS = 6_000;

export function notify(data: NotificationData): string {
  return notifications.show({
    autoClose: data.color === 'red' ? false : AUTO_CLOSE_MS,
    ...data,
    closeButtonProps: { 'aria-label': i18n.t('app.closeNotification'), ...data.closeButtonProps },
  });
}
