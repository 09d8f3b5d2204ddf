/** "Actualizar estado" on reminders and the App Home: opens the update modal for the project in its value. */
export const UPDATE_OPEN = "update_open";
