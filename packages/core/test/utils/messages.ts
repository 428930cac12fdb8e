import * as Chunk from "effect/Chunk"
import type * as Message from "../../src/Message.js"

/** The texts of a chunk of frames; binary frames as `<n bytes>`. */
export const texts = (messages: Chunk.Chunk<Message.Message>) =>
  Chunk.toReadonlyArray(messages).map((m) => (m._tag === "Text" ? m.data : `<${m.data.length} bytes>`))
