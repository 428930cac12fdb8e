/** The version `zenws --version` prints: the package's (a test keeps the two equal). */
export const version = "0.1.0"
