#pragma once
// An OpenSceneGraph view inside a QOpenGLWidget (osgQt is not packaged in
// Debian 12): an embedded single-threaded osgViewer whose default framebuffer
// is the widget's FBO, fed Qt's mouse, wheel and key events. Navigation is
// OSG's orbit manipulator (orbit: left drag, pan: middle drag or
// shift+left, zoom: wheel or right drag), with animated fly-to. In 2D (a
// map) the camera is orthographic and looks straight down: left drag moves
// the map with the cursor, wheel and right drag zoom, nothing tilts.
#include <QOpenGLWidget>

#include <osg/ref_ptr>
#include <osgViewer/GraphicsWindow>
#include <osgViewer/Viewer>

#include <functional>

#include "scene/scene.h"

namespace gridtwin::viewer {

class OsgWidget : public QOpenGLWidget {
  Q_OBJECT
 public:
  explicit OsgWidget(QWidget* parent = nullptr);
  ~OsgWidget() override;

  // Shows `scene` (nullptr: empty) and moves to its home view. The widget
  // keeps the scene alive while shown.
  void setScene(std::shared_ptr<scene::DistrictScene> scene);
  scene::DistrictScene* districtScene() const { return m_scene.get(); }

  // Animated moves (about half a second).
  void flyTo(const scene::View& view);
  // Moves at once (no animation).
  void setView(const scene::View& view);
  void home();     // the whole district, tilted
  void topDown();  // the whole district from straight above (perspective)
  // 2D: an orthographic map, north up, straight down over the current
  // centre at the current scale; off: back to a tilted perspective there.
  void setFlat(bool flat);
  bool flat() const { return m_flat; }
  osgViewer::Viewer* osgView() const { return m_viewer.get(); }
  // The widget position (Qt: origin top-left) where scene-local point p is
  // drawn under the current camera.
  QPoint widgetPosition(const osg::Vec3d& p) const;

 signals:
  // A click (press and release within a few pixels) at widget position.
  void clicked(QPoint position);

 protected:
  void initializeGL() override;
  void paintGL() override;
  void resizeGL(int w, int h) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void keyReleaseEvent(QKeyEvent* e) override;

 private:
  osgGA::EventQueue* events() const;
  int osgButton(const QMouseEvent* e) const;
  void applyProjection();
  // 2D: metres on the ground per device pixel.
  double metresPerPixel() const;
  osg::ref_ptr<osgViewer::Viewer> m_viewer;
  osg::ref_ptr<osgViewer::GraphicsWindowEmbedded> m_window;
  std::shared_ptr<scene::DistrictScene> m_scene;
  QPoint m_pressAt;
  bool m_flat = false;
  bool m_dragging = false;  // 2D: a left drag moving the map
  QPointF m_dragFrom;
  double m_scale = 1;  // device pixels per widget pixel
};

}  // namespace gridtwin::viewer
