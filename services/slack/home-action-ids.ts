/** Action ids of the App Home's own controls (the finding buttons keep theirs, see action-ids.ts). */
export const HOME_FILTER_SEVERITY = "home_filter_severity";
export const HOME_FILTER_VERTICAL = "home_filter_vertical";
export const HOME_FILTER_RESPONSABLE = "home_filter_responsable";
export const HOME_FILTER_ACTION_IDS = [
  HOME_FILTER_SEVERITY,
  HOME_FILTER_VERTICAL,
  HOME_FILTER_RESPONSABLE,
] as const;
export type HomeFilterActionId = (typeof HOME_FILTER_ACTION_IDS)[number];

/** Two paging buttons share one actions block, where action ids must differ. */
export const HOME_PAGE_PREVIOUS = "home_page_previous";
export const HOME_PAGE_NEXT = "home_page_next";
export const HOME_PAGE_ACTION = /^home_page_(previous|next)$/;

/** The Home's web dashboard button: answered with a one-time sign-in link, as `/pmo panel` is. */
export const HOME_WEB_PANEL = "home_web_panel";
