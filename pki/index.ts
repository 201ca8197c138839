/** Key and certificate generation shared by the webhook, the components and the tests. */
export * from "./keys";
export * from "./certs";
