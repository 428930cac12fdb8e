import type { ViteUserConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources through this export condition (see README, Development),
// ahead of Vite's default conditions
const source = "@zen-websocket/source"

const config: ViteUserConfig = {
  esbuild: { target: "es2022" },
  resolve: { conditions: [source, "module", "browser", "development|production"] },
  ssr: { resolve: { conditions: [source, "module", "node", "development|production"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000
  }
}

export default config
