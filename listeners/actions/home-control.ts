import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from "@slack/bolt";
import { withHomeControl } from "../../services/slack/blocks/home/home-state.ts";
import { publishHome } from "../../services/slack/finding-replies.ts";
import { parseHomeControl } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** A control of the Home (a filter, a page button): the user's Home published again with it applied. */
export function republishHomeOnControl(deps: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const control = parseHomeControl(body);
    if (control === null) return;
    const { home } = findingServicesOf(deps);
    const view = await home.view(control.userId, withHomeControl(control.state, control));
    await publishHome(client, control.userId, view, deps.logger);
  };
}
