#pragma once
// Renders a scene to pixels without a window: an OSG pbuffer context on the
// X display in $DISPLAY (Xvfb in CI and on servers), single-threaded (the
// field notes: reading pixels from a multi-threaded viewer crashed once).
//
// Thread-safety: one Offscreen per thread; it owns its GL context.
#include <osg/Image>
#include <osg/Node>

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "scene/scene.h"

namespace osgViewer {
class Viewer;
}

namespace gridtwin::scene {

struct FrameTiming {
  double cullMs = 0;  // OSG's cull traversal (update + cull), last frame
  double drawMs = 0;  // draw traversal including the GPU finishing, last frame
  double frameMs = 0;
  std::size_t drawables = 0;  // drawn in the last frame (draw calls, before GL batching)
};

class Offscreen {
 public:
  // A context of `width` x `height` pixels with 4x multisampling when the
  // display offers it. Errors: no display ("run under xvfb-run"), no pbuffer.
  static core::Result<std::unique_ptr<Offscreen>> open(int width, int height);
  ~Offscreen();

  // Renders `root` from `view` over a sky-blue background and returns the
  // picture (RGB, rows top to bottom).
  core::Result<osg::ref_ptr<osg::Image>> render(osg::Node* root, const View& view);
  // The camera of the last render (for pick() at pixel positions).
  osg::Camera* camera();
  // Renders `frames` frames and returns the mean timings of the last half.
  FrameTiming time(osg::Node* root, const View& view, int frames);
  // Drawables the last frame drew (after culling and label declutter).
  std::size_t drawnDrawables() const;
  // The GL renderer string ("llvmpipe (LLVM 15.0.6, 256 bits)", a GPU's name).
  std::string renderer() const { return m_renderer; }

 private:
  Offscreen() = default;
  void place(osg::Node* root, const View& view);
  std::unique_ptr<osgViewer::Viewer> m_viewer;
  int m_width = 0;
  int m_height = 0;
  std::string m_renderer;
};

// PNG bytes of an image (rows top to bottom).
core::Result<std::vector<unsigned char>> encodePng(const osg::Image& image);

}  // namespace gridtwin::scene
