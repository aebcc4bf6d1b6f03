import { A } from "../router.tsx";

export function NotFoundPage() {
  return (
    <section>
      <h2>Nothing here</h2>
      <p>
        This address does not match any page of tokendesk. <A href="/">Go to the clients and connections</A>.
      </p>
    </section>
  );
}
