import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { createUpdateServices, type UpdateServices } from "../../services/updates/update-services.ts";
import type { ListenerDeps } from "../deps.ts";
import { registerDirectMessages } from "./dm.ts";
import { registerUpdateButtons } from "./update-buttons.ts";
import { registerUpdateModal } from "./update-modal.ts";

const servicesByApp = new WeakMap<App, UpdateServices>();

/**
 * Status updates by DM: the DM itself, the conversation's buttons and the update modal, all on
 * one set of services built here, once per app.
 */
export function registerMessages(app: App, deps: ListenerDeps): void {
  const updates = createUpdateServices(deps, app.client);
  servicesByApp.set(app, updates);
  registerDirectMessages(app, deps, updates);
  registerUpdateButtons(app, deps, updates);
  registerUpdateModal(app, deps, updates);
}

/**
 * The status-update services the app's listeners use: the scheduler runs retryPendingInbound and
 * retryPendingWriteBacks on them, tests wait on their inbox.
 */
export function updateServicesOf(app: App): UpdateServices | undefined {
  return servicesByApp.get(app);
}

/**
 * The update modal outside a conversation: `/pmo actualizar [PMO-123]` and the "Actualizar
 * estado" buttons of reminders and the Home tab.
 */
export async function openUpdateModal(
  app: App,
  client: { views: { open(args: { trigger_id: string; view: ModalView }): Promise<unknown> } },
  triggerId: string,
  userId: string,
  wanted: { projectGid?: string; pmoId?: string },
): Promise<void> {
  const updates = updateServicesOf(app);
  if (updates === undefined) return;
  const view = await updates.conversations.openModal(userId, wanted);
  await client.views.open({ trigger_id: triggerId, view });
}
