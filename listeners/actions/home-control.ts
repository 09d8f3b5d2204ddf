import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from "@slack/bolt";
import { withHomeControl } from "../../services/slack/blocks/home/home-state.ts";
import { publishHome } from "../../services/slack/finding-replies.ts";
import { parseHomeControl } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";

/** A control of the Home (a filter, a page button): the user's Home published again with it applied. */
export function republishHomeOnControl(deps: ListenerDeps) {
  const { home } = deps.services;
  return async ({ ack, body, client }: SlackActionMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const control = parseHomeControl(body);
    if (control === null) {
      deps.logger.warn("a Home control whose payload is not ours");
      return;
    }
    const view = await home.viewOrFailure(control.userId, withHomeControl(control.state, control));
    await publishHome(client, control.userId, view, deps.logger);
  };
}
