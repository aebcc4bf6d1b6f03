import { configure } from "@testing-library/dom";

// findBy*/waitFor give up after 1 s by default: less than a first render takes (cold module
// transforms, jsdom) when the two cores are busy with e2e Chromium. A wait still ends as soon as the
// page shows what it waits for; a longer limit only delays the report of a real failure.
configure({ asyncUtilTimeout: 5_000 });
