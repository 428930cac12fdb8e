/**
 * Audits the public declarations of installed packages, as a consumer's TypeScript sees them:
 * - no exported type degrades to `any` (an unresolved name, e.g. a type erased by `stripInternal`, is `any` under
 *   `skipLibCheck`);
 * - no declaration file of the packages imports `ws`, so `@types/ws` is never needed (nor pulled in).
 *
 * Only what the packages declare is walked (their functions, interfaces, classes and type aliases, and the type
 * arguments they pass to Effect's types); Effect's own declarations and type-parameter constraints are not.
 */
import * as Path from "node:path"
import ts from "typescript"

export interface Finding {
  readonly path: string
  readonly problem: string
}

/**
 * `entryFile` imports every entry point as a namespace (`import * as e0 from "pkg/Entry"`); `isOurs(fileName)` says
 * which declaration files belong to the audited packages.
 */
export const audit = (
  program: ts.Program,
  entryFile: string,
  isOurs: (fileName: string) => boolean
): Array<Finding> => {
  const checker = program.getTypeChecker()
  const findings: Array<Finding> = []
  const seenTypes = new Set<ts.Type>()
  const seenSymbols = new Set<ts.Symbol>()

  for (const file of program.getSourceFiles()) {
    if (!isOurs(file.fileName)) continue
    if (/from\s+["']ws["']|import\(["']ws["']\)|require\(["']ws["']\)/.test(file.text)) {
      findings.push({ path: file.fileName, problem: "a declaration file imports ws (consumers would need @types/ws)" })
    }
  }

  const declaredInOurs = (symbol: ts.Symbol | undefined): boolean =>
    symbol?.declarations?.some((declaration) => isOurs(declaration.getSourceFile().fileName)) ?? false

  // a declaration file types private members as `any` (`private items;`): consumers cannot reach them
  const isPrivate = (symbol: ts.Symbol): boolean =>
    symbol.declarations?.some((declaration) =>
      (ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 ||
      (ts.isPropertyDeclaration(declaration) && ts.isPrivateIdentifier(declaration.name))
    ) ?? false

  const visitSignature = (signature: ts.Signature, path: string, depth: number): void => {
    for (const parameter of signature.getParameters()) {
      const declaration = parameter.valueDeclaration
      const type = declaration === undefined
        ? checker.getTypeOfSymbol(parameter)
        : checker.getTypeOfSymbolAtLocation(parameter, declaration)
      visit(type, `${path}(${parameter.name})`, depth + 1)
    }
    visit(signature.getReturnType(), `${path} => return`, depth + 1)
  }

  const visit = (type: ts.Type, path: string, depth: number): void => {
    if (type.flags & ts.TypeFlags.Any) {
      const name = (type as { intrinsicName?: string }).intrinsicName
      findings.push({ path, problem: name === "error" ? "an unresolved type (any)" : "any" })
      return
    }
    if (depth > 12 || seenTypes.has(type)) return
    seenTypes.add(type)
    if (type.flags & ts.TypeFlags.TypeParameter) return
    if (type.isUnionOrIntersection()) {
      type.types.forEach((member, index) => visit(member, `${path} |${index}`, depth + 1))
      return
    }
    type.aliasTypeArguments?.forEach((argument, index) => visit(argument, `${path}<${index}>`, depth + 1))
    if (!(type.flags & ts.TypeFlags.Object)) return
    const object = type as ts.ObjectType
    if (object.objectFlags & ts.ObjectFlags.Reference) {
      checker.getTypeArguments(object as ts.TypeReference)
        .forEach((argument, index) => visit(argument, `${path}<${index}>`, depth + 1))
    }
    const symbol = type.aliasSymbol ?? type.getSymbol()
    if (!declaredInOurs(type.getSymbol()) && !declaredInOurs(symbol)) return
    for (const property of checker.getPropertiesOfType(type)) {
      if (!declaredInOurs(property) || isPrivate(property)) continue
      visit(checker.getTypeOfSymbol(property), `${path}.${property.name}`, depth + 1)
    }
    for (const signature of type.getCallSignatures()) visitSignature(signature, path, depth)
    for (const signature of type.getConstructSignatures()) visitSignature(signature, `new ${path}`, depth)
    for (const info of checker.getIndexInfosOfType(type)) visit(info.type, `${path}[key]`, depth + 1)
  }

  const visitExport = (exported: ts.Symbol, path: string): void => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    if (seenSymbols.has(symbol)) return
    seenSymbols.add(symbol)
    if (symbol.flags & ts.SymbolFlags.Module) {
      for (const member of checker.getExportsOfModule(symbol)) visitExport(member, `${path}.${member.name}`)
      return
    }
    if (!declaredInOurs(symbol)) return
    if (symbol.flags & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) {
      visit(checker.getDeclaredTypeOfSymbol(symbol), path, 0)
    }
    if (symbol.flags & ts.SymbolFlags.Value) {
      const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0]
      if (declaration !== undefined) visit(checker.getTypeOfSymbolAtLocation(symbol, declaration), path, 0)
    }
  }

  const source = program.getSourceFile(entryFile)
  if (source === undefined) throw new Error(`${entryFile} is not in the program`)
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text
    const module = checker.getSymbolAtLocation(statement.moduleSpecifier)
    if (module === undefined) {
      findings.push({ path: specifier, problem: "the entry point has no declarations" })
      continue
    }
    for (const exported of checker.getExportsOfModule(module)) visitExport(exported, `${specifier}:${exported.name}`)
  }
  return findings
}

/** The program of a consumer project: its `tsconfig.json` and files. */
export const consumerProgram = (dir: string): { readonly program: ts.Program; readonly diagnostics: string } => {
  const configFile = Path.join(dir, "tsconfig.json")
  const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
    }
  })
  if (config === undefined) throw new Error(`cannot read ${configFile}`)
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options })
  const diagnostics = ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => dir,
    getNewLine: () => "\n"
  })
  return { program, diagnostics }
}
